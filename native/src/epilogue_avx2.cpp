// epilogue_row: y = act(x + bias + residual), AVX2/FMA, masked tails.
#include "epilogue_avx2.h"

namespace c4j {
namespace {

template <int ACT, bool RES>
void row(const float* x, float* y, int64_t n, float bias, const float* r, const Activation& e) {
  const avx2::ActVec p(e);
  const __m256 vb = _mm256_set1_ps(bias);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    __m256 v = _mm256_add_ps(_mm256_loadu_ps(x + i), vb);
    if constexpr (RES) v = _mm256_add_ps(v, _mm256_loadu_ps(r + i));
    _mm256_storeu_ps(y + i, avx2::act_ps<ACT>(v, p));
  }
  if (i < n) {
    const __m256i m = avx2::tail_mask(n - i);
    __m256 v = _mm256_add_ps(_mm256_maskload_ps(x + i, m), vb);
    if constexpr (RES) v = _mm256_add_ps(v, _mm256_maskload_ps(r + i, m));
    _mm256_maskstore_ps(y + i, m, avx2::act_ps<ACT>(v, p));
  }
}

}  // namespace

void epilogue_row(const float* x, float* y, int64_t n, float bias, const float* residual, int act, float a, float b) {
  const Activation e{act, a, b};
  avx2::dispatch_act(act, [&](auto tag) {
    constexpr int ACT = decltype(tag)::value;
    if (residual != nullptr) {
      row<ACT, true>(x, y, n, bias, residual, e);
    } else {
      row<ACT, false>(x, y, n, bias, nullptr, e);
    }
  });
}

}  // namespace c4j
