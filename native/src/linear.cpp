// linear (torch.nn.Linear): y[N, out] = act(x[N, in] W^T + b), W [out, in] kept as given (row-major, so W^T is
// SGEMM's transposed B and a single image is SGEMV's natural row-dot-product form). Baseline ISA: the only AVX2
// code it reaches is epilogue_row, after require_isa() at create. Large runs split over images or over blocks of
// output features, each part one single-threaded OpenBLAS call plus its epilogue.
#include <cblas.h>

#include <algorithm>
#include <new>

#include "op_checks.h"
#include "plan.h"
#include "thread_pool.h"
#include "page_arena.h"

namespace c4j {
namespace {

constexpr int64_t kParallelMacs = 256 * 1024;  // below this a run is faster on one thread
constexpr int64_t kColumnBlock = 16;           // output features per part when splitting over features

struct LinearPlan : Plan {
  LinearPlan() : Plan(PlanKind::Linear) {}
  int64_t in = 0, out = 0;
  Activation act;
  WeightVector weight;      // [out, in]
  std::vector<float> bias;  // out floats, or empty
};

// Rows [r0, r1) of x, output features [c0, c1).
void part(const LinearPlan& p, const float* x, float* y, int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
  const int64_t rows = r1 - r0, cols = c1 - c0;
  const float* xr = x + r0 * p.in;
  float* yr = y + r0 * p.out + c0;
  const float* w = p.weight.data() + c0 * p.in;
  if (rows == 1) {
    cblas_sgemv(CblasRowMajor, CblasNoTrans, static_cast<int>(cols), static_cast<int>(p.in), 1.f, w,
                static_cast<int>(p.in), xr, 1, 0.f, yr, 1);
  } else {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, static_cast<int>(rows), static_cast<int>(cols),
                static_cast<int>(p.in), 1.f, xr, static_cast<int>(p.in), w, static_cast<int>(p.in), 0.f, yr,
                static_cast<int>(p.out));
  }
  if (p.bias.empty() && p.act.act == C4J_ACT_NONE) return;
  // the bias varies along the row: it goes in as epilogue_row's per-element "residual", with a scalar bias of 0
  const float* b = p.bias.empty() ? nullptr : p.bias.data() + c0;
  for (int64_t r = 0; r < rows; ++r) epilogue_row(yr + r * p.out, yr + r * p.out, cols, 0.f, b, p.act);
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
    plan->weight.assign(weight, weight + wn);
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
  const int64_t threads = num_threads();  // also makes sure the pool has pinned OpenBLAS to one thread
  if (threads == 1 || batch * p.in * p.out < kParallelMacs) {
    part(p, xs, ys, 0, batch, 0, p.out);
  } else if (batch >= 4 * threads) {  // enough images: split them, each part a full-width SGEMM
    parallel_for(batch, [&](int64_t lo, int64_t hi) { part(p, xs, ys, lo, hi, 0, p.out); });
  } else {  // few images: split the output features in blocks
    const int64_t blocks = (p.out + kColumnBlock - 1) / kColumnBlock;
    parallel_for(blocks, [&](int64_t lo, int64_t hi) {
      part(p, xs, ys, 0, batch, lo * kColumnBlock, std::min(p.out, hi * kColumnBlock));
    });
  }
  return C4J_OK;
}
