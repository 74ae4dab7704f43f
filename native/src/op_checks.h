// Checks shared by the entry points of conv2d, conv_transpose2d, pool2d, linear and the elementwise ops
// (baseline ISA): overflow-safe buffer volumes and activation parameters. Each fails with a message naming the
// value and the rule.
#pragma once
#include <cmath>
#include <cstdint>
#include <initializer_list>

#include "epilogue.h"
#include "errors.h"

namespace c4j {

// The name of entry i (C4J_CP_*) of a conv2d / conv_transpose2d parameter block, for messages.
inline const char* conv_param_name(int i) {
  static const char* const names[C4J_CP_COUNT] = {
      "in_channels", "in_height", "in_width", "out_channels", "kernel_h", "kernel_w", "stride_h", "stride_w",
      "pad_top", "pad_left", "pad_bottom", "pad_right", "dilation_h", "dilation_w", "groups", "padding_mode",
      "activation", "output_padding_h", "output_padding_w"};
  return names[i];
}

// Largest buffer a plan accepts (floats): far above any real tensor, small enough that batch (< 2^31) times it
// and every offset sum stay inside int64.
constexpr int64_t kMaxPlanFloats = int64_t(1) << 40;

// The product of non-negative factors, or -1 when it exceeds kMaxPlanFloats (checked before each multiply).
inline int64_t volume(std::initializer_list<int64_t> factors) {
  int64_t v = 1;
  for (int64_t f : factors) {
    if (f < 0) return -1;
    if (f != 0 && v > kMaxPlanFloats / f) return -1;
    v *= f;
  }
  return v;
}

// act must be a C4J_ACT_* code; leaky_relu's slope finite; clamp's min <= max (NaN fails).
inline int32_t check_activation(int act, float a, float b) {
  if (!activation_known(act))
    return fail(C4J_ERR_ARG, "activation must be one of C4J_ACT_* (0..5), got %d", act);
  if (act == C4J_ACT_LEAKY_RELU && !std::isfinite(a))
    return fail(C4J_ERR_ARG, "leaky_relu slope act_a must be finite, got %g", a);
  if (act == C4J_ACT_CLAMP && !(a <= b))
    return fail(C4J_ERR_ARG, "clamp needs act_a (min) <= act_b (max), got %g, %g", a, b);
  return C4J_OK;
}

// Bias of a layer with n outputs: null with length 0, or exactly n floats.
inline int32_t check_bias(const float* bias, int64_t bias_len, int64_t n, const char* n_name) {
  if (bias == nullptr ? bias_len != 0 : bias_len != n)
    return fail(C4J_ERR_ARG, "bias_len must be %s (%lld), got %lld", bias == nullptr ? "0 for a null bias" : n_name,
                static_cast<long long>(bias == nullptr ? 0 : n), static_cast<long long>(bias_len));
  return C4J_OK;
}

// True when the float ranges [a, a + an) and [b, b + bn) share memory.
inline bool overlaps(const float* a, int64_t an, const float* b, int64_t bn) {
  const auto a0 = reinterpret_cast<uintptr_t>(a), b0 = reinterpret_cast<uintptr_t>(b);
  return a0 < b0 + sizeof(float) * static_cast<uint64_t>(bn) && b0 < a0 + sizeof(float) * static_cast<uint64_t>(an);
}

// The checks every plan run makes before it touches memory: batch >= 1, x and y inside their buffers for batch
// images of the plan's per-image sizes, and x and y disjoint (no kernel here runs in place).
inline int32_t check_run(const char* op, int32_t batch, const float* x, int64_t x_len, int64_t x_off,
                         int64_t x_per_image, const float* y, int64_t y_len, int64_t y_off, int64_t y_per_image) {
  if (batch < 1) return fail(C4J_ERR_ARG, "batch must be >= 1, got %d", batch);
  const int64_t nx = batch * x_per_image, ny = batch * y_per_image;  // per-image sizes < 2^40: no overflow
  C4J_CHECK_SPAN("x", x, x_len, x_off, nx);
  C4J_CHECK_SPAN("y", y, y_len, y_off, ny);
  if (overlaps(x + x_off, nx, y + y_off, ny)) return fail(C4J_ERR_ARG, "x and y overlap: %s cannot run in place", op);
  return C4J_OK;
}

}  // namespace c4j
