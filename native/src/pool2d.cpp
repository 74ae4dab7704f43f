// pool2d entry points (baseline ISA): validate the parameter block with PyTorch's rules (re-deriving the output
// size Java computed), precompute the windows, and run with every buffer span checked against the plan's sizes.
// The kernels live in pool2d_*_avx2.cpp.
#include <algorithm>
#include <new>

#include "conv4j.h"
#include "op_checks.h"
#include "pool2d.h"

namespace c4j {
namespace {

const char* param_name(int i) {
  static const char* const names[C4J_PP_COUNT] = {
      "kind", "channels", "in_height", "in_width", "kernel_h", "kernel_w", "stride_h", "stride_w", "pad_top",
      "pad_left", "pad_bottom", "pad_right", "dilation_h", "dilation_w", "ceil_mode", "count_include_pad",
      "out_height", "out_width"};
  return names[i];
}

// PyTorch's pooling_output_shape: floor-or-ceil((in + p0 + p1 - d*(k-1) - 1) / s) + 1, and in ceil mode the last
// window must start inside the input or the leading padding. Arguments are int32 values, so int64 is exact.
int64_t out_size(int64_t in, int64_t p0, int64_t p1, int64_t k, int64_t d, int64_t s, bool ceil) {
  const int64_t num = in + p0 + p1 - d * (k - 1) - 1 + (ceil ? s - 1 : 0);
  int64_t out = (num >= 0 ? num / s : -((-num + s - 1) / s)) + 1;  // floor division
  if (ceil && (out - 1) * s >= in + p0) --out;
  return out;
}

// The MAX/AVG rules along one axis (in, pads, kernel, stride, dilation at these parameter indices).
int32_t check_axis(const int32_t* p, int in, int p0, int p1, int k, int s, int d, int out, bool ceil) {
  for (int i : {k, s, d})
    if (p[i] < 1) return fail(C4J_ERR_ARG, "%s must be >= 1, got %d", param_name(i), p[i]);
  for (int i : {p0, p1}) {
    if (p[i] < 0) return fail(C4J_ERR_ARG, "%s must be >= 0, got %d", param_name(i), p[i]);
    if (p[i] > p[k] / 2)
      return fail(C4J_ERR_ARG, "%s must be at most half of %s (PyTorch), got %s=%d, %s=%d", param_name(i),
                  param_name(k), param_name(i), p[i], param_name(k), p[k]);
  }
  const int64_t want = out_size(p[in], p[p0], p[p1], p[k], p[d], p[s], ceil);
  if (want < 1)
    return fail(C4J_ERR_ARG, "pooling %s would be %lld (< 1): %s=%d is too small for the dilated kernel",
                param_name(out), static_cast<long long>(want), param_name(in), p[in]);
  if (p[out] != want)
    return fail(C4J_ERR_ARG, "%s must be %lld for this geometry (PyTorch's output size rule), got %d",
                param_name(out), static_cast<long long>(want), p[out]);
  return C4J_OK;
}

int32_t validate(const int32_t* p, int32_t n) {
  if (p == nullptr) return fail(C4J_ERR_ARG, "params is null");
  if (n != C4J_PP_COUNT) return fail(C4J_ERR_ARG, "nparams must be %d (C4J_PP_COUNT), got %d", C4J_PP_COUNT, n);
  const int kind = p[C4J_PP_KIND];
  if (kind != C4J_POOL_MAX && kind != C4J_POOL_AVG && kind != C4J_POOL_ADAPTIVE_AVG)
    return fail(C4J_ERR_ARG, "kind must be one of C4J_POOL_* (0..2), got %d", kind);
  for (int i : {C4J_PP_C, C4J_PP_IN_H, C4J_PP_IN_W})
    if (p[i] < 1) return fail(C4J_ERR_ARG, "%s must be >= 1, got %d", param_name(i), p[i]);
  if (kind == C4J_POOL_ADAPTIVE_AVG) {  // kernel, stride, padding, dilation and flags are not used
    for (int i : {C4J_PP_OUT_H, C4J_PP_OUT_W})
      if (p[i] < 1) return fail(C4J_ERR_ARG, "%s must be >= 1, got %d", param_name(i), p[i]);
  } else {
    for (int i : {C4J_PP_CEIL, C4J_PP_COUNT_INCLUDE_PAD})
      if (p[i] != 0 && p[i] != 1) return fail(C4J_ERR_ARG, "%s must be 0 or 1, got %d", param_name(i), p[i]);
    if (kind == C4J_POOL_AVG && (p[C4J_PP_DH] != 1 || p[C4J_PP_DW] != 1))
      return fail(C4J_ERR_ARG, "avg pooling has no dilation: dilation_h and dilation_w must be 1, got %d, %d",
                  p[C4J_PP_DH], p[C4J_PP_DW]);
    const bool ceil = p[C4J_PP_CEIL] == 1;
    if (check_axis(p, C4J_PP_IN_H, C4J_PP_PAD_T, C4J_PP_PAD_B, C4J_PP_KH, C4J_PP_SH, C4J_PP_DH, C4J_PP_OUT_H, ceil) ||
        check_axis(p, C4J_PP_IN_W, C4J_PP_PAD_L, C4J_PP_PAD_R, C4J_PP_KW, C4J_PP_SW, C4J_PP_DW, C4J_PP_OUT_W, ceil))
      return C4J_ERR_ARG;
  }
  if (volume({p[C4J_PP_C], p[C4J_PP_IN_H], p[C4J_PP_IN_W]}) < 0 ||
      volume({p[C4J_PP_C], p[C4J_PP_OUT_H], p[C4J_PP_OUT_W]}) < 0)
    return fail(C4J_ERR_ARG, "pool2d sizes too large: an input or output image exceeds 2^40 floats");
  return C4J_OK;
}

// A MAX/AVG window along one axis for output index o: its start in input coordinates, the taps inside the input
// (first tap and count, step d) and PyTorch's avg divisor factor.
struct Window {
  int64_t first, count;
  float div;
};

Window window(int64_t o, int64_t in, int64_t p0, int64_t p1, int64_t k, int64_t s, int64_t d, bool include_pad) {
  const int64_t start = o * s - p0;
  const int64_t k_lo = start >= 0 ? 0 : (-start + d - 1) / d;           // first tap at or after 0
  const int64_t k_hi = start > in - 1 ? 0 : std::min(k, (in - 1 - start) / d + 1);  // past the last inside
  const int64_t count = std::max<int64_t>(0, k_hi - k_lo);
  // avg (d == 1): include_pad counts the window clipped to in + p1, else only the input taps
  const int64_t padded = std::min(start + k, in + p1) - start;
  const int64_t div = include_pad ? padded : count;
  return {start + k_lo * d, count, div > 0 ? static_cast<float>(div) : 1.f};  // empty window: sum 0 -> 0
}

// Adaptive window i of n over in: [floor(i*in/n), ceil((i+1)*in/n)).
void adaptive(int64_t i, int64_t in, int64_t n, int64_t& lo, int64_t& hi) {
  lo = i * in / n;
  hi = ((i + 1) * in + n - 1) / n;
}

void build(Pool2dPlan& pl, const int32_t* p) {
  pl.kind = p[C4J_PP_KIND];
  pl.c = p[C4J_PP_C], pl.ih = p[C4J_PP_IN_H], pl.iw = p[C4J_PP_IN_W], pl.oh = p[C4J_PP_OUT_H], pl.ow = p[C4J_PP_OUT_W];
  pl.rows.resize(pl.oh);
  pl.row_div.resize(pl.oh);
  pl.col_div.resize(pl.ow);
  if (pl.kind == C4J_POOL_ADAPTIVE_AVG) {
    pl.col_lo.resize(pl.ow);
    pl.col_hi.resize(pl.ow);
    for (int64_t r = 0; r < pl.oh; ++r) {
      int64_t lo, hi;
      adaptive(r, pl.ih, pl.oh, lo, hi);
      pl.rows[r] = {lo, 1, hi - lo};
      pl.row_div[r] = static_cast<float>(hi - lo);
    }
    for (int64_t o = 0; o < pl.ow; ++o) {
      adaptive(o, pl.iw, pl.ow, pl.col_lo[o], pl.col_hi[o]);
      pl.col_div[o] = static_cast<float>(pl.col_hi[o] - pl.col_lo[o]);
    }
    pl.padded_w = pl.iw;
    return;
  }
  const bool include = p[C4J_PP_COUNT_INCLUDE_PAD] == 1;
  pl.kw = p[C4J_PP_KW], pl.sw = p[C4J_PP_SW], pl.pl = p[C4J_PP_PAD_L], pl.dw = p[C4J_PP_DW];
  for (int64_t r = 0; r < pl.oh; ++r) {
    const Window w = window(r, pl.ih, p[C4J_PP_PAD_T], p[C4J_PP_PAD_B], p[C4J_PP_KH], p[C4J_PP_SH], p[C4J_PP_DH],
                            include);
    pl.rows[r] = {w.first, p[C4J_PP_DH], w.count};
    pl.row_div[r] = w.div;
  }
  for (int64_t o = 0; o < pl.ow; ++o)
    pl.col_div[o] = window(o, pl.iw, pl.pl, p[C4J_PP_PAD_R], pl.kw, pl.sw, pl.dw, include).div;
  pl.pairs2x2 = p[C4J_PP_KH] == 2 && p[C4J_PP_KW] == 2 && p[C4J_PP_SH] == 2 && p[C4J_PP_SW] == 2 &&
                p[C4J_PP_DH] == 1 && p[C4J_PP_DW] == 1 && p[C4J_PP_PAD_T] == 0 && p[C4J_PP_PAD_L] == 0 &&
                2 * pl.oh <= pl.ih && 2 * pl.ow <= pl.iw;  // ceil mode's clipped last window excluded
  pl.whole = pl.kind == C4J_POOL_AVG && pl.oh == 1 && pl.ow == 1 && p[C4J_PP_KH] == pl.ih && pl.kw == pl.iw &&
             p[C4J_PP_PAD_T] == 0 && p[C4J_PP_PAD_L] == 0 && p[C4J_PP_PAD_B] == 0 && p[C4J_PP_PAD_R] == 0;
  // the last window may reach past in + pad_right in ceil mode; +16: vector loads past the last window
  pl.padded_w = std::max(pl.pl + pl.iw, (pl.ow - 1) * pl.sw + (pl.kw - 1) * pl.dw + 1) + 16;
}

}  // namespace
}  // namespace c4j

using namespace c4j;

extern "C" int64_t c4j_pool2d_create(const int32_t* params, int32_t nparams) {
  if (validate(params, nparams) != C4J_OK) return 0;
  if (!require_isa()) return 0;
  auto* plan = new (std::nothrow) Pool2dPlan();
  if (plan == nullptr) {
    fail(C4J_ERR_NOMEM, "out of memory creating a pool2d plan");
    return 0;
  }
  try {
    build(*plan, params);
  } catch (const std::bad_alloc&) {
    delete plan;
    fail(C4J_ERR_NOMEM, "out of memory creating a pool2d plan");
    return 0;
  }
  return to_handle(plan);
}

extern "C" int32_t c4j_pool2d_run(int64_t handle, int32_t batch, const float* x, int64_t x_len, int64_t x_off,
                                  float* y, int64_t y_len, int64_t y_off) {
  const auto* plan = plan_cast<Pool2dPlan>(handle, PlanKind::Pool2d);
  if (plan == nullptr) return C4J_ERR_HANDLE;
  if (const int32_t st = check_run("pool2d", batch, x, x_len, x_off, plan->c * plan->in_plane(), y, y_len, y_off,
                                   plan->c * plan->out_plane()))
    return st;
  switch (plan->kind) {
    case C4J_POOL_MAX: return pool2d_max_run(*plan, batch, x + x_off, y + y_off);
    case C4J_POOL_AVG:
      return plan->whole ? pool2d_adaptive_avg_run(*plan, batch, x + x_off, y + y_off)
                         : pool2d_avg_run(*plan, batch, x + x_off, y + y_off);
    default: return pool2d_adaptive_avg_run(*plan, batch, x + x_off, y + y_off);
  }
}
