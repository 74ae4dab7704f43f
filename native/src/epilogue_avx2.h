// Vector activations for AVX2/FMA kernels (include only from *_avx2.cpp): kernels apply the epilogue while the
// accumulators are still in registers, templated on the activation so the inner loop has no switch.
#pragma once
#include <immintrin.h>

#include <type_traits>

#include "epilogue.h"

namespace c4j {
namespace avx2 {

// e^x with relative error ~1 ulp over [-87.3, 88]: x = n ln2 + r, |r| <= ln2/2, ln2 split in two parts so
// n*ln2 is exact, exp(r) by the Cephes degree-6 minimax polynomial, 2^n built in the exponent field.
// Saturates at e^88 above and returns 0 below ln(FLT_MIN) (enough for sigmoid/tanh, the only users).
inline __m256 exp_ps(__m256 x) {
  const __m256 lo = _mm256_set1_ps(-87.33654475f);
  const __m256 xc = _mm256_min_ps(_mm256_max_ps(x, lo), _mm256_set1_ps(88.0f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(xc, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), xc);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1.f)));
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  const __m256 y = _mm256_mul_ps(p, _mm256_castsi256_ps(e));
  return _mm256_andnot_ps(_mm256_cmp_ps(x, lo, _CMP_LT_OQ), y);  // below ln(FLT_MIN): 0
}

// NaN inputs give NaN outputs (as PyTorch): the saturating arithmetic above would otherwise hide them.
inline __m256 keep_nan(__m256 x, __m256 y) { return _mm256_blendv_ps(y, x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q)); }

// 1 / (1 + e^-x) via e = e^-|x|: s = 1 / (1 + e) for x >= 0, e * s for x < 0. No cancellation either side.
inline __m256 sigmoid_ps(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.f);
  const __m256 e = exp_ps(_mm256_or_ps(x, sign));  // e^-|x|
  const __m256 s = _mm256_div_ps(_mm256_set1_ps(1.f), _mm256_add_ps(_mm256_set1_ps(1.f), e));
  const __m256 neg = _mm256_cmp_ps(x, _mm256_setzero_ps(), _CMP_LT_OQ);
  return keep_nan(x, _mm256_blendv_ps(s, _mm256_mul_ps(e, s), neg));
}

// tanh: for |x| < 0.625 the Cephes odd polynomial (1 - e^-2|x| would cancel near 0); above, 1 - 2 / (e^2|x| + 1),
// which saturates to exactly 1 for large |x|; the sign is put back last.
inline __m256 tanh_ps(__m256 x) {
  const __m256 sign = _mm256_set1_ps(-0.f);
  const __m256 ax = _mm256_andnot_ps(sign, x);
  const __m256 z = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(-5.70498872745e-3f);
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(2.06390887954e-2f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-5.37397155531e-2f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(1.33314422036e-1f));
  p = _mm256_fmadd_ps(p, z, _mm256_set1_ps(-3.33332819422e-1f));
  const __m256 small = _mm256_fmadd_ps(_mm256_mul_ps(p, z), ax, ax);
  const __m256 e = exp_ps(_mm256_add_ps(ax, ax));
  const __m256 large = _mm256_sub_ps(_mm256_set1_ps(1.f),
                                     _mm256_div_ps(_mm256_set1_ps(2.f), _mm256_add_ps(e, _mm256_set1_ps(1.f))));
  const __m256 t = _mm256_blendv_ps(large, small, _mm256_cmp_ps(ax, _mm256_set1_ps(0.625f), _CMP_LT_OQ));
  return keep_nan(x, _mm256_or_ps(t, _mm256_and_ps(x, sign)));
}

// Activation parameters broadcast once per row.
struct ActVec {
  __m256 a, b;
  explicit ActVec(const Activation& e) : a(_mm256_set1_ps(e.a)), b(_mm256_set1_ps(e.b)) {}
};

// act(v) for a compile-time activation. max/min operand order keeps NaN (the second operand wins on NaN).
template <int ACT>
inline __m256 act_ps(__m256 v, const ActVec& p) {
  if constexpr (ACT == C4J_ACT_RELU) {
    return _mm256_max_ps(_mm256_setzero_ps(), v);
  } else if constexpr (ACT == C4J_ACT_LEAKY_RELU) {
    return _mm256_blendv_ps(_mm256_mul_ps(v, p.a), v, _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GT_OQ));
  } else if constexpr (ACT == C4J_ACT_CLAMP) {
    return _mm256_min_ps(p.b, _mm256_max_ps(p.a, v));
  } else if constexpr (ACT == C4J_ACT_SIGMOID) {
    return sigmoid_ps(v);
  } else if constexpr (ACT == C4J_ACT_TANH) {
    return tanh_ps(v);
  } else {
    return v;
  }
}

template <int ACT>
using ActTag = std::integral_constant<int, ACT>;

// Calls f(ActTag<ACT>{}) with the runtime activation turned into a compile-time one (read it in f as
// decltype(tag)::value), so a kernel is instantiated once per activation and its inner loop has no switch.
template <typename F>
inline auto dispatch_act(int act, F&& f) {
  switch (act) {
    case C4J_ACT_RELU: return f(ActTag<C4J_ACT_RELU>{});
    case C4J_ACT_LEAKY_RELU: return f(ActTag<C4J_ACT_LEAKY_RELU>{});
    case C4J_ACT_CLAMP: return f(ActTag<C4J_ACT_CLAMP>{});
    case C4J_ACT_SIGMOID: return f(ActTag<C4J_ACT_SIGMOID>{});
    case C4J_ACT_TANH: return f(ActTag<C4J_ACT_TANH>{});
    default: return f(ActTag<C4J_ACT_NONE>{});
  }
}

// Lane mask selecting the first k (0..8) lanes, for masked loads/stores of row tails.
inline __m256i tail_mask(int64_t k) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(k)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Lane mask of columns c .. c + 7 that lie inside a row of w floats (0 <= column < w).
inline __m256i row_mask(int64_t c, int64_t w) {
  const __m256i col =
      _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(c)), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  return _mm256_and_si256(_mm256_cmpgt_epi32(col, _mm256_set1_epi32(-1)),
                          _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(w)), col));
}

// Columns c .. c + 7 of a row of w floats, zero outside it: a plain load inside the row, a masked one at its edges
// (masked lanes are not accessed, so c may lie before the row or run past it).
inline __m256 row_cols(const float* row, int64_t c, int64_t w) {
  if (c >= 0 && c + 8 <= w) return _mm256_loadu_ps(row + c);
  return _mm256_maskload_ps(row + c, row_mask(c, w));
}

}  // namespace avx2
}  // namespace c4j
