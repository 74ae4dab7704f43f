// The pool2d plan shared by the entry points (pool2d.cpp, baseline ISA) and the kernels (pool2d_*_avx2.cpp).
// Every window is a rectangle, so each kernel reduces separably: for one output row, the input rows of its window
// are reduced into one row buffer (vertical pass, contiguous), then each output column reduces its columns of that
// buffer (horizontal pass). The plan precomputes both passes' index sets once.
#pragma once
#include <cstdint>
#include <vector>

#include "plan.h"

namespace c4j {

// Input rows first + j*step for j < count (count may be 0: a max window wholly in the padding).
struct RowSet {
  int64_t first, step, count;
};

struct Pool2dPlan : Plan {
  Pool2dPlan() : Plan(PlanKind::Pool2d) {}
  int kind = C4J_POOL_MAX;
  int64_t c = 0, ih = 0, iw = 0, oh = 0, ow = 0;
  int64_t kw = 0, sw = 0, pl = 0, dw = 0;  // MAX/AVG horizontal pass (vertical is in rows)
  std::vector<RowSet> rows;                // per output row: the input rows it reduces
  // MAX/AVG: the vertical pass writes input column i at pl + i of a row buffer of padded_w floats whose
  // padding holds the reduction's identity; output column o then reads o*sw + kj*dw, kj < kw.
  int64_t padded_w = 0;
  // ADAPTIVE_AVG: output column o sums input columns [col_lo[o], col_hi[o]).
  std::vector<int64_t> col_lo, col_hi;
  // AVG / ADAPTIVE_AVG: output (r, o) is sum / (row_div[r] * col_div[o]) (PyTorch's divisor, factored).
  std::vector<float> row_div, col_div;
  // MAX/AVG 2x2 windows at stride 2, no padding or dilation, every window whole (AVG divisor 4): reduced in one
  // pass, a vertical then a pairwise horizontal op in registers (pool2d_separable_avx2.h, pairs_plane)
  bool pairs2x2 = false;
  // AVG whose single window is the whole unpadded plane (nn.AvgPool2d(7) on ResNet's 7x7 maps): the same mean as a
  // global average, which sums each contiguous plane in one pass instead of a row pass and a column pass
  bool whole = false;
  int64_t in_plane() const { return ih * iw; }
  int64_t out_plane() const { return oh * ow; }
};

// Kernels: batch * c planes of x -> y, parallel over planes. C4J_OK, or a failed status with c4j_last_error set.
int32_t pool2d_max_run(const Pool2dPlan& p, int64_t batch, const float* x, float* y);
int32_t pool2d_avg_run(const Pool2dPlan& p, int64_t batch, const float* x, float* y);
int32_t pool2d_adaptive_avg_run(const Pool2dPlan& p, int64_t batch, const float* x, float* y);

}  // namespace c4j
