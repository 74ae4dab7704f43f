// linear (torch.nn.Linear): y[N, out] = act(x[N, in] W^T + b), W [out, in] packed once at create into blocks of 16
// output features (linear.h). Baseline ISA: the AVX2 code it reaches (linear_block_avx2, epilogue_row) runs after
// require_isa() at create. A run is a set of (block, group of four images) units, block-major so that one thread
// reads a block's weights once for all its images; large runs split the units over the pool.
#include <algorithm>
#include <new>

#include "linear.h"
#include "op_checks.h"
#include "thread_pool.h"

namespace c4j {
namespace {

constexpr int64_t kParallelMacs = 256 * 1024;  // below this a run is faster on one thread
constexpr int64_t kGroupRows = 4;              // images per unit: linear_block_avx2's widest register block

// Units [u0, u1) of a run of `batch` images: unit u is block u / groups, image group u % groups.
void units(const LinearPlan& p, const float* x, float* y, int64_t batch, int64_t u0, int64_t u1) {
  const int64_t groups = (batch + kGroupRows - 1) / kGroupRows;
  for (int64_t u = u0; u < u1; ++u) {
    const int64_t c0 = (u / groups) * kLinearBlock, cols = std::min(kLinearBlock, p.out - c0);
    const int64_t r0 = (u % groups) * kGroupRows, rows = std::min(kGroupRows, batch - r0);
    float* yb = y + r0 * p.out + c0;
    linear_block_avx2(p.weight.data() + c0 * p.in, p.in, x + r0 * p.in, p.in, rows, yb, p.out, cols);
    if (p.bias.empty() && p.act.act == C4J_ACT_NONE) continue;
    // the bias varies along the row: it goes in as epilogue_row's per-element "residual", with a scalar bias of 0
    const float* b = p.bias.empty() ? nullptr : p.bias.data() + c0;
    for (int64_t r = 0; r < rows; ++r) epilogue_row(yb + r * p.out, yb + r * p.out, cols, 0.f, b, p.act);
  }
}

}  // namespace
}  // namespace c4j

using namespace c4j;

extern "C" int64_t c4j_linear_create(int32_t in_features, int32_t out_features, const float* weight,
                                     int64_t weight_len, const float* bias, int64_t bias_len, int32_t act,
                                     float act_a, float act_b) {
  if (in_features < 1) return fail(C4J_ERR_ARG, "in_features must be >= 1, got %d", in_features), 0;
  if (out_features < 1) return fail(C4J_ERR_ARG, "out_features must be >= 1, got %d", out_features), 0;
  const int64_t wn = volume({in_features, out_features});
  if (wn < 0) return fail(C4J_ERR_ARG, "linear weight of %d x %d exceeds 2^40 floats", out_features, in_features), 0;
  if (weight == nullptr) return fail(C4J_ERR_ARG, "weight is null"), 0;
  if (weight_len != wn)
    return fail(C4J_ERR_ARG, "weight_len must be out_features*in_features = %lld, got %lld",
                static_cast<long long>(wn), static_cast<long long>(weight_len)), 0;
  if (check_bias(bias, bias_len, out_features, "out_features") != C4J_OK) return 0;
  if (check_activation(act, act_a, act_b) != C4J_OK) return 0;
  if (!require_isa()) return 0;
  auto* plan = new (std::nothrow) LinearPlan();
  if (plan == nullptr) return fail(C4J_ERR_NOMEM, "out of memory creating a linear plan"), 0;
  try {
    plan->in = in_features, plan->out = out_features, plan->act = Activation{act, act_a, act_b};
    plan->weight.assign(plan->blocks() * kLinearBlock * plan->in, 0.f);
    for (int64_t c = 0; c < plan->out; ++c)  // feature c is lane c % 16 of block c / 16, one float per k
      for (int64_t k = 0; k < plan->in; ++k)
        plan->weight[((c / kLinearBlock) * plan->in + k) * kLinearBlock + c % kLinearBlock] = weight[c * plan->in + k];
    if (bias != nullptr) plan->bias.assign(bias, bias + bias_len);
  } catch (const std::bad_alloc&) {
    delete plan;
    return fail(C4J_ERR_NOMEM, "out of memory copying linear weights"), 0;
  }
  return to_handle(plan);
}

extern "C" int32_t c4j_linear_run(int64_t handle, int32_t batch, const float* x, int64_t x_len, int64_t x_off,
                                  float* y, int64_t y_len, int64_t y_off) {
  const auto* plan = plan_cast<LinearPlan>(handle, PlanKind::Linear);
  if (plan == nullptr) return C4J_ERR_HANDLE;
  if (const int32_t st = check_run("linear", batch, x, x_len, x_off, plan->in, y, y_len, y_off, plan->out)) return st;
  const LinearPlan& p = *plan;
  const float* xs = x + x_off;
  float* ys = y + y_off;
  const int64_t n = p.blocks() * ((batch + kGroupRows - 1) / kGroupRows);
  if (num_threads() == 1 || batch * p.in * p.out < kParallelMacs) {
    units(p, xs, ys, batch, 0, n);
  } else {
    parallel_for(n, [&](int64_t lo, int64_t hi) { units(p, xs, ys, batch, lo, hi); });
  }
  return C4J_OK;
}
