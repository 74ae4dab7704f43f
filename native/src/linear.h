// The linear plan shared by the entry points (linear.cpp, baseline ISA) and the kernel (linear_avx2.cpp).
// Weights are packed once at create into blocks of 16 output features, each block [in][16] (zero-padded past
// `out`): a batch-1 run is then one sequential stream over the weights, which the hardware prefetcher follows from
// memory at ~1.6x the rate of OpenBLAS SGEMV's row-dot form (four rows read at once), and a block's 16 outputs stay
// in two registers per image while the reduction runs.
#pragma once
#include <cstdint>
#include <vector>

#include "epilogue.h"
#include "plan.h"
#include "page_arena.h"

namespace c4j {

constexpr int64_t kLinearBlock = 16;  // output features per packed block: two AVX2 vectors

struct LinearPlan : Plan {
  LinearPlan() : Plan(PlanKind::Linear) {}
  int64_t in = 0, out = 0;
  Activation act;
  WeightVector weight;      // blocks() x [in][16]
  std::vector<float> bias;  // out floats, or empty
  int64_t blocks() const { return (out + kLinearBlock - 1) / kLinearBlock; }
};

// y[r, c] = sum_k x[r, k] * W[c, k] for rows r < rows (x rows ldx apart, y rows ldy apart) and the `cols` <= 16
// output features of one packed block `wb` ([in][16]); y points at the block's first feature. No bias or
// activation: the caller's epilogue adds them. AVX2/FMA: call only after require_isa().
void linear_block_avx2(const float* wb, int64_t in, const float* x, int64_t ldx, int64_t rows, float* y, int64_t ldy,
                       int64_t cols);

}  // namespace c4j
