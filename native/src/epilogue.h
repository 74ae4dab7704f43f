// Fused epilogue shared by conv2d, conv_transpose2d, linear and c4j_activation: y = act(x + bias + residual).
// Declared here for baseline entry points; the vector form for kernels is in epilogue_avx2.h.
#pragma once
#include <cstdint>

#include "conv4j.h"

namespace c4j {

// The activation of an epilogue and its parameters (C4J_ACT_*; leaky: a = slope; clamp: a = min, b = max).
struct Activation {
  int act = C4J_ACT_NONE;
  float a = 0.f, b = 0.f;
};

// True when act is one of C4J_ACT_*.
inline bool activation_known(int act) { return act >= C4J_ACT_NONE && act <= C4J_ACT_TANH; }

// y[i] = act(x[i] + bias + residual[i]) for i in [0, n). residual may be null; x (or residual) may equal y.
// AVX2/FMA: call only after require_isa(). Tails use the same vector code (masked), so every element of a row
// gets bit-identical arithmetic wherever it sits.
void epilogue_row(const float* x, float* y, int64_t n, float bias, const float* residual, int act, float a, float b);

inline void epilogue_row(const float* x, float* y, int64_t n, float bias, const float* residual, const Activation& e) {
  epilogue_row(x, y, n, bias, residual, e.act, e.a, e.b);
}

}  // namespace c4j
