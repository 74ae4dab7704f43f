// softmax / log_softmax and add, AVX2/FMA. softmax is stable: the slice maximum is subtracted before exp
// (exp_ps from epilogue_avx2.h, ~1 ulp), so no term overflows; a NaN anywhere in a slice (or a slice of only
// -inf, or an +inf entry, where x - max is NaN) makes the whole slice NaN, as PyTorch.
// softmax = e / sum(e) with e = exp(x - max); log_softmax = x - max - log(sum(e)).
#include <algorithm>
#include <cmath>

#include "elementwise.h"
#include "epilogue_avx2.h"

namespace c4j {
namespace {

using avx2::tail_mask;

inline float hmax(__m256 v) {
  __m128 q = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  q = _mm_max_ps(q, _mm_movehl_ps(q, q));
  return _mm_cvtss_f32(_mm_max_ss(q, _mm_movehdup_ps(q)));
}

inline float hsum(__m256 v) {
  __m128 q = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  q = _mm_add_ps(q, _mm_movehl_ps(q, q));
  return _mm_cvtss_f32(_mm_add_ss(q, _mm_movehdup_ps(q)));
}

// exp(x - max), NaN where x - max is NaN (exp_ps alone would saturate it to a number).
inline __m256 shifted_exp(__m256 x, __m256 max) {
  const __m256 d = _mm256_sub_ps(x, max);
  return avx2::keep_nan(d, avx2::exp_ps(d));
}

// Loads n (1..8) floats, the rest of the lanes as fill.
inline __m256 load_n(const float* p, int64_t n, float fill) {
  if (n == 8) return _mm256_loadu_ps(p);
  const __m256i m = tail_mask(n);
  return _mm256_blendv_ps(_mm256_set1_ps(fill), _mm256_maskload_ps(p, m), _mm256_castsi256_ps(m));
}

inline void store_n(float* p, int64_t n, __m256 v) {
  if (n == 8) {
    _mm256_storeu_ps(p, v);
  } else {
    _mm256_maskstore_ps(p, tail_mask(n), v);
  }
}

// inner == 1: one contiguous row of dim floats.
void softmax_row(const float* x, float* y, int64_t dim, bool log) {
  __m256 vmax = _mm256_set1_ps(-INFINITY);
  for (int64_t d = 0; d < dim; d += 8)
    vmax = _mm256_max_ps(vmax, load_n(x + d, std::min<int64_t>(8, dim - d), -INFINITY));
  const __m256 max = _mm256_set1_ps(hmax(vmax));
  __m256 vsum = _mm256_setzero_ps();
  for (int64_t d = 0; d < dim; d += 8) {
    const int64_t n = std::min<int64_t>(8, dim - d);
    // masked lanes load -inf and contribute exp(-inf) = 0 (or NaN when max is -inf: the row is NaN anyway)
    const __m256 e = shifted_exp(load_n(x + d, n, -INFINITY), max);
    vsum = _mm256_add_ps(vsum, n == 8 ? e : _mm256_and_ps(e, _mm256_castsi256_ps(tail_mask(n))));
    if (!log) store_n(y + d, n, e);
  }
  const float sum = hsum(vsum);
  if (log) {
    const __m256 lsum = _mm256_set1_ps(std::log(sum));
    for (int64_t d = 0; d < dim; d += 8) {
      const int64_t n = std::min<int64_t>(8, dim - d);
      store_n(y + d, n, _mm256_sub_ps(_mm256_sub_ps(load_n(x + d, n, 0.f), max), lsum));
    }
  } else {
    const __m256 inv = _mm256_set1_ps(1.f / sum);
    for (int64_t d = 0; d < dim; d += 8) {
      const int64_t n = std::min<int64_t>(8, dim - d);
      store_n(y + d, n, _mm256_mul_ps(load_n(y + d, n, 0.f), inv));
    }
  }
}

// inner > 1: 8 (or the last n) neighbouring slices at once, lane j walking x[d*inner + j] over d.
void softmax_lanes(const float* x, float* y, int64_t dim, int64_t inner, int64_t n, bool log) {
  __m256 max = load_n(x, n, 0.f);
  for (int64_t d = 1; d < dim; ++d) max = _mm256_max_ps(max, load_n(x + d * inner, n, 0.f));
  __m256 sum = _mm256_setzero_ps();
  for (int64_t d = 0; d < dim; ++d) {
    const __m256 e = shifted_exp(load_n(x + d * inner, n, 0.f), max);
    sum = _mm256_add_ps(sum, e);
    if (!log) store_n(y + d * inner, n, e);
  }
  if (log) {
    alignas(32) float s[8];
    _mm256_store_ps(s, sum);
    for (float& v : s) v = std::log(v);
    const __m256 lsum = _mm256_load_ps(s);
    for (int64_t d = 0; d < dim; ++d)
      store_n(y + d * inner, n, _mm256_sub_ps(_mm256_sub_ps(load_n(x + d * inner, n, 0.f), max), lsum));
  } else {
    const __m256 inv = _mm256_div_ps(_mm256_set1_ps(1.f), sum);
    for (int64_t d = 0; d < dim; ++d) store_n(y + d * inner, n, _mm256_mul_ps(load_n(y + d * inner, n, 0.f), inv));
  }
}

}  // namespace

void softmax_avx2(const float* x, float* y, int64_t u0, int64_t u1, int64_t dim, int64_t inner, bool log) {
  if (inner == 1) {
    for (int64_t o = u0; o < u1; ++o) softmax_row(x + o * dim, y + o * dim, dim, log);
    return;
  }
  const int64_t blocks = softmax_blocks(inner);
  for (int64_t u = u0; u < u1; ++u) {
    const int64_t off = (u / blocks) * dim * inner + (u % blocks) * 8;
    softmax_lanes(x + off, y + off, dim, inner, std::min<int64_t>(8, inner - (u % blocks) * 8), log);
  }
}

void add_avx2(const float* a, const float* b, float* y, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) _mm256_storeu_ps(y + i, _mm256_add_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i)));
  if (i < n) store_n(y + i, n - i, _mm256_add_ps(load_n(a + i, n - i, 0.f), load_n(b + i, n - i, 0.f)));
}

}  // namespace c4j
