// linear: one packed block of 16 output features (linear.h) against up to four images at a time. Each k step loads
// the block's two weight vectors once and multiplies them by every image's broadcast x[k], so the weights, the
// large operand at small batch, are read once per four images. Fewer images unroll k instead, keeping eight
// independent accumulators in flight against the FMA latency.
#include <immintrin.h>

#include <algorithm>

#include "linear.h"

namespace c4j {
namespace {

// R images (R <= 4), the reduction unrolled U times (R * U <= 4); the U partial sums are added at the end.
template <int R, int U>
void block_rows(const float* wb, int64_t in, const float* x, int64_t ldx, float* y, int64_t ldy, int64_t cols) {
  __m256 acc[U][R][2];
  for (int u = 0; u < U; ++u)
    for (int r = 0; r < R; ++r) acc[u][r][0] = acc[u][r][1] = _mm256_setzero_ps();
  int64_t k = 0;
  for (; k + U <= in; k += U) {
    for (int u = 0; u < U; ++u) {
      const __m256 w0 = _mm256_loadu_ps(wb + (k + u) * kLinearBlock);
      const __m256 w1 = _mm256_loadu_ps(wb + (k + u) * kLinearBlock + 8);
      for (int r = 0; r < R; ++r) {
        const __m256 xb = _mm256_broadcast_ss(x + r * ldx + k + u);
        acc[u][r][0] = _mm256_fmadd_ps(w0, xb, acc[u][r][0]);
        acc[u][r][1] = _mm256_fmadd_ps(w1, xb, acc[u][r][1]);
      }
    }
  }
  for (; k < in; ++k) {
    const __m256 w0 = _mm256_loadu_ps(wb + k * kLinearBlock), w1 = _mm256_loadu_ps(wb + k * kLinearBlock + 8);
    for (int r = 0; r < R; ++r) {
      const __m256 xb = _mm256_broadcast_ss(x + r * ldx + k);
      acc[0][r][0] = _mm256_fmadd_ps(w0, xb, acc[0][r][0]);
      acc[0][r][1] = _mm256_fmadd_ps(w1, xb, acc[0][r][1]);
    }
  }
  for (int r = 0; r < R; ++r) {
    for (int u = 1; u < U; ++u) {
      acc[0][r][0] = _mm256_add_ps(acc[0][r][0], acc[u][r][0]);
      acc[0][r][1] = _mm256_add_ps(acc[0][r][1], acc[u][r][1]);
    }
    float* yr = y + r * ldy;
    if (cols == kLinearBlock) {
      _mm256_storeu_ps(yr, acc[0][r][0]);
      _mm256_storeu_ps(yr + 8, acc[0][r][1]);
    } else {  // the last block: its padded features are computed (zero weights) but not stored
      alignas(32) float tmp[kLinearBlock];
      _mm256_store_ps(tmp, acc[0][r][0]);
      _mm256_store_ps(tmp + 8, acc[0][r][1]);
      std::copy(tmp, tmp + cols, yr);
    }
  }
}

}  // namespace

void linear_block_avx2(const float* wb, int64_t in, const float* x, int64_t ldx, int64_t rows, float* y, int64_t ldy,
                       int64_t cols) {
  int64_t r = 0;
  for (; r + 4 <= rows; r += 4) block_rows<4, 1>(wb, in, x + r * ldx, ldx, y + r * ldy, ldy, cols);
  switch (rows - r) {
    case 3: block_rows<3, 1>(wb, in, x + r * ldx, ldx, y + r * ldy, ldy, cols); break;
    case 2: block_rows<2, 2>(wb, in, x + r * ldx, ldx, y + r * ldy, ldy, cols); break;
    case 1: block_rows<1, 4>(wb, in, x + r * ldx, ldx, y + r * ldy, ldy, cols); break;
    default: break;
  }
}

}  // namespace c4j
