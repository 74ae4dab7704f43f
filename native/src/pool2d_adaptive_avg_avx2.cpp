// pool2d ADAPTIVE_AVG (global average pooling is its 1x1 case): output (r, o) averages input rows
// [floor(r*H/OH), ceil((r+1)*H/OH)) and columns [floor(o*W/OW), ceil((o+1)*W/OW)). Separable: the rows of the
// window summed into a row buffer (AVX2, contiguous), then each output sums its column range of that buffer.
#include "pool2d_separable_avx2.h"

namespace c4j {
namespace {

// Sum of n contiguous floats: 8 lanes (the last vector masked), then a horizontal add.
float sum_contiguous(const float* b, int64_t n) {
  __m256 acc = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) acc = _mm256_add_ps(acc, _mm256_loadu_ps(b + i));
  if (i < n) acc = _mm256_add_ps(acc, _mm256_maskload_ps(b + i, avx2::tail_mask(n - i)));
  const __m128 q = _mm_add_ps(_mm256_castps256_ps128(acc), _mm256_extractf128_ps(acc, 1));
  const __m128 d = _mm_add_ps(q, _mm_movehl_ps(q, q));
  return _mm_cvtss_f32(_mm_add_ss(d, _mm_movehdup_ps(d)));
}

}  // namespace

int32_t pool2d_adaptive_avg_run(const Pool2dPlan& p, int64_t batch, const float* x, float* y) {
  // global (and AVG's whole-plane window, Pool2dPlan::whole): each plane is one contiguous run, no row buffer
  if (p.oh == 1 && p.ow == 1) {
    const int64_t n = p.in_plane();
    const float count = static_cast<float>(n);
    return pool::for_planes(p, batch, [](float*) {}, [&](int64_t plane, float*) {
      y[plane] = sum_contiguous(x + plane * n, n) / count;
    });
  }
  const auto body = [&](int64_t plane, float* buf) {
    const float* xp = x + plane * p.in_plane();
    float* yp = y + plane * p.out_plane();
    for (int64_t r = 0; r < p.oh; ++r) {
      pool::reduce_rows<pool::SumOp>(xp, p.iw, p.rows[r], buf);
      for (int64_t o = 0; o < p.ow; ++o)
        yp[r * p.ow + o] = sum_contiguous(buf + p.col_lo[o], p.col_hi[o] - p.col_lo[o]) / (p.row_div[r] * p.col_div[o]);
    }
  };
  return pool::for_planes(p, batch, [](float*) {}, body);
}

}  // namespace c4j
