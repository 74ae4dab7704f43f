// conv2d DEPTHWISE: groups == in_channels, each output channel oc convolves input channel oc / multiplier with its
// own kh x kw filter. AVX2/FMA, vectorised over output width: 8 pixels per vector, 4 vectors in flight to hide FMA
// latency, epilogue applied in registers. Interior vectors load their inputs directly (stride 1: one load;
// stride 2: two loads de-interleaved; other strides: a gather); border vectors mask the lanes outside the row, so
// padding is never materialised. Stride and dilation live in the index arithmetic.
#include <immintrin.h>

#include <algorithm>

#include "conv2d.h"
#include "epilogue_avx2.h"
#include "thread_pool.h"

namespace c4j {
namespace {

using avx2::ActVec;

// 0..7 (a function, not a namespace-scope constant: static initialisers run before any ISA check)
inline __m256i lanes() { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }

// Even lanes of a and b: a0 a2 a4 a6 b0 b2 b4 b6.
inline __m256 even(__m256 a, __m256 b) {
  const __m256 e = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));  // a0 a2 b0 b2 | a4 a6 b4 b6
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0)));
}

// row[i0 + lane * S] for 8 lanes (S: 1, 2, or 0 = gather with stride sw), all inside the row.
template <int S>
inline __m256 load8(const float* row, int64_t i0, __m256i lane_sw) {
  if constexpr (S == 1) {
    return _mm256_loadu_ps(row + i0);
  } else if constexpr (S == 2) {
    return even(_mm256_loadu_ps(row + i0), _mm256_loadu_ps(row + i0 + 8));
  } else {
    return _mm256_i32gather_ps(row + i0, lane_sw, 4);
  }
}

// The same for a vector that touches the row's ends: lanes outside [0, w) read 0. Masked lanes are not accessed.
template <int S>
inline __m256 load8_masked(const float* row, int64_t i0, int64_t w, __m256i lane_sw) {
  auto inside = [&](__m256i idx) {
    return _mm256_and_si256(_mm256_cmpgt_epi32(idx, _mm256_set1_epi32(-1)),
                            _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(w)), idx));
  };
  const __m256i base = _mm256_set1_epi32(static_cast<int>(i0));
  if constexpr (S == 1) {
    return _mm256_maskload_ps(row + i0, inside(_mm256_add_epi32(base, lanes())));
  } else if constexpr (S == 2) {
    const __m256i lo = _mm256_add_epi32(base, lanes()), hi = _mm256_add_epi32(lo, _mm256_set1_epi32(8));
    return even(_mm256_maskload_ps(row + i0, inside(lo)), _mm256_maskload_ps(row + i0 + 8, inside(hi)));
  } else {
    const __m256i idx = _mm256_add_epi32(base, lane_sw);
    return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), row, idx, _mm256_castsi256_ps(inside(idx)), 4);
  }
}

// One output row of one channel, its epilogue included.
struct Row {
  const ConvShape& s;
  const float* x;     // the input plane
  int64_t ih0;        // input row of tap kh = 0 (may be outside)
  const float* wk;    // kh x kw filter
  float* out;         // output row
  const float* res;   // residual row or null
  bool acc_in;        // out holds the residual already
  __m256 bias;
  ActVec act;

  // The input row of tap kh, or null when it lies in the padding.
  const float* in_row(int64_t kh) const {
    const int64_t ih = ih0 + kh * s.dh;
    return ih >= 0 && ih < s.h ? x + ih * s.w : nullptr;
  }
};

template <int ACT>
inline __m256 finish(const Row& r, __m256 acc, int64_t ow0) {
  __m256 v = _mm256_add_ps(acc, r.bias);
  if (r.res != nullptr) v = _mm256_add_ps(v, _mm256_loadu_ps(r.res + ow0));
  return avx2::act_ps<ACT>(v, r.act);
}

// NB interior vectors (8 * NB pixels from ow0).
template <int NB, int S, int ACT>
void interior(const Row& r, int64_t ow0) {
  const ConvShape& s = r.s;
  __m256 acc[NB];
  for (int b = 0; b < NB; ++b) acc[b] = r.acc_in ? _mm256_loadu_ps(r.out + ow0 + 8 * b) : _mm256_setzero_ps();
  const __m256i lane_sw = _mm256_mullo_epi32(lanes(), _mm256_set1_epi32(static_cast<int>(s.sw)));
  for (int64_t kh = 0; kh < s.kh; ++kh) {
    const float* row = r.in_row(kh);
    if (row == nullptr) continue;
    for (int64_t kw = 0; kw < s.kw; ++kw) {
      const __m256 w = _mm256_broadcast_ss(r.wk + kh * s.kw + kw);
      const int64_t i0 = ow0 * s.sw - s.pl + kw * s.dw;
      for (int b = 0; b < NB; ++b) acc[b] = _mm256_fmadd_ps(w, load8<S>(row, i0 + 8 * b * s.sw, lane_sw), acc[b]);
    }
  }
  for (int b = 0; b < NB; ++b) _mm256_storeu_ps(r.out + ow0 + 8 * b, finish<ACT>(r, acc[b], ow0 + 8 * b));
}

// One vector at the border or the row's end (n < 8 live lanes there).
template <int S, int ACT>
void border(const Row& r, int64_t ow0, int64_t n) {
  const ConvShape& s = r.s;
  const __m256i live = avx2::tail_mask(n);
  const __m256i lane_sw = _mm256_mullo_epi32(lanes(), _mm256_set1_epi32(static_cast<int>(s.sw)));
  __m256 acc = r.acc_in ? _mm256_maskload_ps(r.out + ow0, live) : _mm256_setzero_ps();
  for (int64_t kh = 0; kh < s.kh; ++kh) {
    const float* row = r.in_row(kh);
    if (row == nullptr) continue;
    for (int64_t kw = 0; kw < s.kw; ++kw) {
      const __m256 v = load8_masked<S>(row, ow0 * s.sw - s.pl + kw * s.dw, s.w, lane_sw);
      acc = _mm256_fmadd_ps(_mm256_broadcast_ss(r.wk + kh * s.kw + kw), v, acc);
    }
  }
  __m256 v = _mm256_add_ps(acc, r.bias);
  if (r.res != nullptr) v = _mm256_add_ps(v, _mm256_maskload_ps(r.res + ow0, live));
  _mm256_maskstore_ps(r.out + ow0, live, avx2::act_ps<ACT>(v, r.act));
}

template <int S, int ACT>
void row(const Row& r) {
  const ConvShape& s = r.s;
  // the vector at ow0 is interior when every tap of its 8 pixels lies in the row (stride 2 loads one float more)
  const int64_t extra = S == 2 ? 1 : 0;
  auto inside = [&](int64_t ow0) {
    return ow0 + 8 <= s.ow && ow0 * s.sw - s.pl >= 0 &&
           (ow0 + 7) * s.sw - s.pl + (s.kw - 1) * s.dw + extra <= s.w - 1;
  };
  for (int64_t ow0 = 0; ow0 < s.ow;) {
    if (inside(ow0) && inside(ow0 + 24)) {  // interior pixels form one range: its ends decide
      interior<4, S, ACT>(r, ow0);
      ow0 += 32;
    } else if (inside(ow0)) {
      interior<1, S, ACT>(r, ow0);
      ow0 += 8;
    } else {
      border<S, ACT>(r, ow0, std::min<int64_t>(8, s.ow - ow0));
      ow0 += 8;
    }
  }
}

// Output rows [oh0, oh1) of output plane `plane` (image * oc + channel).
template <int ACT>
void plane_rows(const Conv2dPlan& p, const ConvRun& run, int64_t plane, int64_t oh0, int64_t oh1) {
  const ConvShape& s = p.s;
  const int64_t oc = plane % s.oc, n = plane / s.oc;
  Row r{s, run.x + (n * s.ic + oc / s.ocg()) * s.in_plane(), 0, p.weight.data() + oc * s.taps(), nullptr, nullptr,
        run.accumulate, _mm256_set1_ps(p.bias_at(oc)), ActVec(p.act)};
  for (int64_t oh = oh0; oh < oh1; ++oh) {
    r.ih0 = oh * s.sh - s.pt;
    r.out = run.y + plane * s.out_plane() + oh * s.ow;
    r.res = run.residual == nullptr ? nullptr : run.residual + plane * s.out_plane() + oh * s.ow;
    if (s.sw == 1) {
      row<1, ACT>(r);
    } else if (s.sw == 2) {
      row<2, ACT>(r);
    } else {
      row<0, ACT>(r);
    }
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
  avx2::dispatch_act(p.act.act, [&](auto tag) {
    constexpr int ACT = decltype(tag)::value;
    parallel_for_small(planes * bands, [&](int64_t lo, int64_t hi) {
      for (int64_t u = lo; u < hi; ++u) {
        const int64_t plane = u / bands, band = u % bands;
        plane_rows<ACT>(p, r, plane, s.oh * band / bands, s.oh * (band + 1) / bands);
      }
    });
  });
  return C4J_OK;
}

}  // namespace c4j
