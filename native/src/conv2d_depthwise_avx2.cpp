// conv2d DEPTHWISE: groups == in_channels, each output channel oc convolves input channel oc / multiplier with its
// own kh x kw filter. AVX2/FMA, vectorised over output width: 8 pixels per vector, 4 vectors in flight to hide FMA
// latency. Interior vectors load their inputs directly (stride 1: one load; stride 2: two loads de-interleaved;
// other strides: a gather); vectors touching the border gather with a mask, so padding is never materialised.
// Stride and dilation live in the index arithmetic.
#include <immintrin.h>

#include <algorithm>

#include "conv2d.h"
#include "thread_pool.h"

namespace c4j {
namespace {

inline int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// 8 inputs row[i0 + lane * S] (S: 1, 2, or 0 = gather with stride sw), all inside the row.
template <int S>
inline __m256 load8(const float* row, int64_t i0, __m256i lanes_sw) {
  if constexpr (S == 1) {
    return _mm256_loadu_ps(row + i0);
  } else if constexpr (S == 2) {
    const __m256 a = _mm256_loadu_ps(row + i0), b = _mm256_loadu_ps(row + i0 + 8);
    const __m256 even = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));  // a0 a2 b0 b2 | a4 a6 b4 b6
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(even), _MM_SHUFFLE(3, 1, 2, 0)));
  } else {
    return _mm256_i32gather_ps(row + i0, lanes_sw, 4);
  }
}

// NB interior vectors (8 * NB pixels from ow0) of one output row; rows[kh] is the input row of tap kh or null.
template <int NB, int S>
void interior(const ConvShape& s, const float* const* rows, const float* wk, int64_t ow0, float* out, bool acc_in) {
  __m256 acc[NB];
  for (int b = 0; b < NB; ++b) acc[b] = acc_in ? _mm256_loadu_ps(out + 8 * b) : _mm256_setzero_ps();
  const __m256i lanes_sw = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                              _mm256_set1_epi32(static_cast<int>(s.sw)));
  for (int64_t kh = 0; kh < s.kh; ++kh) {
    if (rows[kh] == nullptr) continue;
    for (int64_t kw = 0; kw < s.kw; ++kw) {
      const __m256 w = _mm256_broadcast_ss(wk + kh * s.kw + kw);
      const int64_t i0 = ow0 * s.sw - s.pl + kw * s.dw;
      for (int b = 0; b < NB; ++b)
        acc[b] = _mm256_fmadd_ps(w, load8<S>(rows[kh], i0 + 8 * b * s.sw, lanes_sw), acc[b]);
    }
  }
  for (int b = 0; b < NB; ++b) _mm256_storeu_ps(out + 8 * b, acc[b]);
}

// One vector at the border or the row's end: lanes outside the input (or past the row's n outputs) are masked.
void border(const ConvShape& s, const float* const* rows, const float* wk, int64_t ow0, int64_t n, float* out,
            bool acc_in) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256i live = _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)), lane);
  const __m256i idx0 = _mm256_mullo_epi32(lane, _mm256_set1_epi32(static_cast<int>(s.sw)));
  __m256 acc = acc_in ? _mm256_maskload_ps(out, live) : _mm256_setzero_ps();
  for (int64_t kh = 0; kh < s.kh; ++kh) {
    if (rows[kh] == nullptr) continue;
    for (int64_t kw = 0; kw < s.kw; ++kw) {
      const int64_t i0 = ow0 * s.sw - s.pl + kw * s.dw;  // lane l reads rows[kh][i0 + l * sw]
      const __m256i idx = _mm256_add_epi32(idx0, _mm256_set1_epi32(static_cast<int>(i0)));
      const __m256i inside = _mm256_and_si256(
          live, _mm256_and_si256(_mm256_cmpgt_epi32(idx, _mm256_set1_epi32(-1)),
                                 _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(s.w)), idx)));
      const __m256 v = _mm256_mask_i32gather_ps(_mm256_setzero_ps(), rows[kh], idx, _mm256_castsi256_ps(inside), 4);
      acc = _mm256_fmadd_ps(_mm256_broadcast_ss(wk + kh * s.kw + kw), v, acc);
    }
  }
  _mm256_maskstore_ps(out, live, acc);
}

template <int S>
void row(const ConvShape& s, const float* const* rows, const float* wk, float* out, bool acc_in) {
  // vector at ow0 is interior when all its taps of every kw lie in the row (stride 2 loads one float more)
  const int64_t extra = S == 2 ? 1 : 0;
  auto inside = [&](int64_t ow0) {
    return ow0 + 8 <= s.ow && ow0 * s.sw - s.pl >= 0 &&
           (ow0 + 7) * s.sw - s.pl + (s.kw - 1) * s.dw + extra <= s.w - 1;
  };
  for (int64_t ow0 = 0; ow0 < s.ow;) {
    if (inside(ow0) && inside(ow0 + 24)) {
      interior<4, S>(s, rows, wk, ow0, out + ow0, acc_in);
      ow0 += 32;
    } else if (inside(ow0)) {
      interior<1, S>(s, rows, wk, ow0, out + ow0, acc_in);
      ow0 += 8;
    } else {
      border(s, rows, wk, ow0, std::min<int64_t>(8, s.ow - ow0), out + ow0, acc_in);
      ow0 += 8;
    }
  }
}

// Output rows [oh0, oh1) of output channel plane `plane` (image * oc + channel).
void plane_rows(const Conv2dPlan& p, const ConvRun& r, int64_t plane, int64_t oh0, int64_t oh1) {
  const ConvShape& s = p.s;
  const int64_t n = plane / s.oc, oc = plane % s.oc, mult = s.ocg();
  const float* x = r.x + (n * s.ic + oc / mult) * s.in_plane();
  const float* wk = p.weight.data() + oc * s.taps();
  float* y = r.y + plane * s.out_plane();
  const float* res = r.residual == nullptr ? nullptr : r.residual + plane * s.out_plane();
  const float* rows[64];
  for (int64_t oh = oh0; oh < oh1; ++oh) {
    for (int64_t kh0 = 0; kh0 < s.kh; kh0 += 64) {
      // taps in chunks of 64 rows so the row table stays on the stack for any kernel height
      const int64_t nk = std::min<int64_t>(64, s.kh - kh0);
      for (int64_t k = 0; k < nk; ++k) {
        const int64_t ih = oh * s.sh - s.pt + (kh0 + k) * s.dh;
        rows[k] = ih >= 0 && ih < s.h ? x + ih * s.w : nullptr;
      }
      ConvShape part = s;
      part.kh = nk;
      const float* wpart = wk + kh0 * s.kw;
      const bool acc_in = r.accumulate || kh0 > 0;
      float* out = y + oh * s.ow;
      if (s.sw == 1) {
        row<1>(part, rows, wpart, out, acc_in);
      } else if (s.sw == 2) {
        row<2>(part, rows, wpart, out, acc_in);
      } else {
        row<0>(part, rows, wpart, out, acc_in);
      }
    }
    conv2d_epilogue_rows(p, y + oh * s.ow, res == nullptr ? nullptr : res + oh * s.ow, oc, 1, s.ow, 0);
  }
}

}  // namespace

void conv2d_depthwise_pack(Conv2dPlan& p, const float* w) {
  p.weight.assign(w, w + p.s.oc * p.s.taps());  // OIHW with I = 1: [oc][kh][kw], read by broadcast
}

int32_t conv2d_depthwise_run(const Conv2dPlan& p, const ConvRun& r) {
  const ConvShape& s = p.s;
  const int64_t planes = r.batch * s.oc;
  const int64_t bands = std::min(s.oh, std::max<int64_t>(1, (3 * num_threads() + planes - 1) / planes));
  parallel_for(planes * bands, [&](int64_t lo, int64_t hi) {
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t plane = u / bands, band = u % bands;
      plane_rows(p, r, plane, s.oh * band / bands, s.oh * (band + 1) / bands);
    }
  });
  return C4J_OK;
}

}  // namespace c4j
