// conv2d DEPTHWISE: groups == in_channels, each output channel oc convolves input channel oc / multiplier with its
// own kh x kw filter. AVX2/FMA, vectorised over output width, four vectors (32 pixels) in flight to cover FMA
// latency, the epilogue applied in registers. Vectors whose taps all lie inside the row load directly (stride 1:
// one load; stride 2: two loads de-interleaved; other strides: a gather); the border and tail vectors are grouped
// and mask the lanes outside the row, so padding is never materialised. Stride and dilation live in the index
// arithmetic; rows skip the kh taps above and below the input. 3x3 with dilation 1 (MobileNet) has its own paths
// below, with no index arithmetic in the inner loop: stride 1 from padded rows in scratch (k3_*), or straight from
// the input rows when they are whole vectors with padding 1 (k3w_*), stride 2 straight from the input rows (s2_*).
// Small output planes (rows up to 28 wide; 3x3 stride 2: up to 15) take none of these: eight channels at a time,
// vectorised across channels (c8_*).
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <type_traits>

#include "conv2d.h"
#include "epilogue_avx2.h"
#include "shuffle_avx2.h"
#include "thread_pool.h"

namespace c4j {
namespace {

using avx2::ActVec;
using avx2::even;
using avx2::transpose8;

// 0..7 (a function, not a namespace-scope constant: static initialisers run before any ISA check)
inline __m256i lanes() { return _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7); }

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

// One output row of one channel, its epilogue included.
struct Row {
  const ConvShape& s;
  const float* row0;  // input row of tap kh0
  int64_t kh0, kh1;   // the kh taps inside the input
  const float* wk;    // kh x kw filter
  float* out;         // output row
  const float* res;   // residual row or null
  bool acc_in;        // out holds the residual already
  __m256 bias;
  ActVec act;
};

// NB vectors of one row, vector b covering pixels ow[b] .. ow[b] + 7 (the first live[b] of them real), epilogue
// included. MASKED: lanes reading past the row's ends are masked (and dead lanes not stored); the masks depend on kw
// only, so kw is the outer loop. The accumulators are named variables: GCC -O3 keeps a __m256 array on the stack,
// inside the FMA dependency chain.
template <int NB, int S, bool MASKED, int ACT>
void vectors(const Row& r, const int64_t* ow, const int* live) {
  static_assert(NB >= 1 && NB <= 4, "1-4 vectors");
  const ConvShape& s = r.s;
  const int64_t sw = S != 0 ? S : s.sw;
  const __m256i lane_sw = _mm256_mullo_epi32(lanes(), _mm256_set1_epi32(static_cast<int>(sw)));
  int64_t off[NB];  // input column of lane 0 at kw = 0
  __m256i idx[NB], store[NB];
  for (int b = 0; b < NB; ++b) {
    off[b] = ow[b] * sw - s.pl;
    idx[b] = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(off[b])), S == 2 ? lanes() : lane_sw);
    store[b] = avx2::tail_mask(live[b]);
  }
  auto start = [&](int b) {
    if (!r.acc_in) return _mm256_setzero_ps();
    return MASKED ? _mm256_maskload_ps(r.out + ow[b], store[b]) : _mm256_loadu_ps(r.out + ow[b]);
  };
  __m256 acc0 = start(0), acc1 = NB > 1 ? start(1) : acc0, acc2 = NB > 2 ? start(2) : acc0,
         acc3 = NB > 3 ? start(3) : acc0;
  const __m256i lo = _mm256_set1_epi32(-1), hi = _mm256_set1_epi32(static_cast<int>(s.w));
  auto inside = [&](__m256i i) { return _mm256_and_si256(_mm256_cmpgt_epi32(i, lo), _mm256_cmpgt_epi32(hi, i)); };
  const int64_t row_step = s.dh * s.w;
  for (int64_t kw = 0; kw < s.kw; ++kw) {
    const int64_t kwo = kw * s.dw;
    __m256i m0[NB], m1[NB];  // lane masks (S == 2: of the two loads de-interleaved)
    if constexpr (MASKED) {
      const __m256i shift = _mm256_set1_epi32(static_cast<int>(kwo));
      for (int b = 0; b < NB; ++b) {
        const __m256i i = _mm256_add_epi32(idx[b], shift);
        m0[b] = inside(i);
        if constexpr (S == 2) m1[b] = inside(_mm256_add_epi32(i, _mm256_set1_epi32(8)));
      }
    }
    auto load = [&](const float* row, int b) {
      const float* p = row + (off[b] + kwo);  // masked lanes are not accessed, wherever p points
      if constexpr (!MASKED) {
        return load8<S>(p, 0, lane_sw);
      } else if constexpr (S == 1) {
        return _mm256_maskload_ps(p, m0[b]);
      } else if constexpr (S == 2) {
        return even(_mm256_maskload_ps(p, m0[b]), _mm256_maskload_ps(p + 8, m1[b]));
      } else {
        return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), p, lane_sw, _mm256_castsi256_ps(m0[b]), 4);
      }
    };
    const float* row = r.row0;
    const float* wp = r.wk + r.kh0 * s.kw + kw;
    for (int64_t kh = r.kh0; kh < r.kh1; ++kh, row += row_step, wp += s.kw) {
      const __m256 w = _mm256_broadcast_ss(wp);
      acc0 = _mm256_fmadd_ps(w, load(row, 0), acc0);
      if constexpr (NB > 1) acc1 = _mm256_fmadd_ps(w, load(row, 1), acc1);
      if constexpr (NB > 2) acc2 = _mm256_fmadd_ps(w, load(row, 2), acc2);
      if constexpr (NB > 3) acc3 = _mm256_fmadd_ps(w, load(row, 3), acc3);
    }
  }
  auto finish = [&](__m256 acc, int b) {
    __m256 v = _mm256_add_ps(acc, r.bias);
    if (r.res != nullptr)
      v = _mm256_add_ps(v, MASKED ? _mm256_maskload_ps(r.res + ow[b], store[b]) : _mm256_loadu_ps(r.res + ow[b]));
    v = avx2::act_ps<ACT>(v, r.act);
    if constexpr (MASKED) {
      _mm256_maskstore_ps(r.out + ow[b], store[b], v);
    } else {
      _mm256_storeu_ps(r.out + ow[b], v);
    }
  };
  finish(acc0, 0);
  if constexpr (NB > 1) finish(acc1, 1);
  if constexpr (NB > 2) finish(acc2, 2);
  if constexpr (NB > 3) finish(acc3, 3);
}

// Up to four masked vectors at arbitrary positions.
template <int S, int ACT>
void masked(const Row& r, const int64_t* ow, const int* live, int nb) {
  switch (nb) {
    case 4: vectors<4, S, true, ACT>(r, ow, live); break;
    case 3: vectors<3, S, true, ACT>(r, ow, live); break;
    case 2: vectors<2, S, true, ACT>(r, ow, live); break;
    default: vectors<1, S, true, ACT>(r, ow, live); break;
  }
}

// A row: its clean vectors (every lane's taps inside the row, all lanes live) four at a time with plain loads;
// the rest (left and right borders, the tail, leftover clean ones) together, masked, up to four at a time so
// even the border vectors keep several FMA chains in flight.
template <int S, int ACT>
void row(const Row& r) {
  const ConvShape& s = r.s;
  const int64_t extra = S == 2 ? 1 : 0;  // stride 2 loads one float past the last tap
  const int64_t first = std::min(s.ow, (s.pl + s.sw - 1) / s.sw);  // first pixel whose taps start inside
  const int64_t last = s.w - 1 + s.pl - (s.kw - 1) * s.dw - extra;  // largest column a clean lane 0 may read
  const int64_t nvec = (s.ow + 7) / 8;
  // clean vectors: v0 <= v < v1, i.e. 8v >= first, 8v + 7 <= last / sw, 8v + 8 <= ow
  const int64_t v0 = std::min(nvec, (first + 7) / 8);
  const int64_t m = last < 0 ? -1 : std::min(last / s.sw - 7, s.ow - 8);  // largest clean 8v
  const int64_t v1 = m < 0 ? v0 : std::clamp<int64_t>(m / 8 + 1, v0, nvec);
  const int64_t full = v0 + (v1 - v0) / 4 * 4;
  int live[4] = {8, 8, 8, 8};
  int64_t ow[4];
  for (int64_t v = v0; v < full; v += 4) {
    for (int b = 0; b < 4; ++b) ow[b] = 8 * (v + b);
    vectors<4, S, false, ACT>(r, ow, live);
  }
  int nb = 0;
  for (int64_t v = 0; v < nvec; ++v) {
    if (v >= v0 && v < full) continue;
    ow[nb] = 8 * v;
    live[nb] = static_cast<int>(std::min<int64_t>(8, s.ow - 8 * v));
    if (++nb == 4) {
      masked<S, ACT>(r, ow, live, nb);
      nb = 0;
    }
  }
  if (nb > 0) masked<S, ACT>(r, ow, live, nb);
}

// Output plane `plane` (image * oc + channel) of a run: its channel, its input plane, its output plane and the
// residual's (null without one).
struct PlaneIo {
  int64_t oc;
  const float* x;
  float* y;
  const float* res;
  PlaneIo(const ConvShape& s, const ConvRun& run, int64_t plane)
      : oc(plane % s.oc),
        x(run.x + (plane / s.oc * s.ic + oc / s.ocg()) * s.in_plane()),
        y(run.y + plane * s.out_plane()),
        res(run.residual == nullptr ? nullptr : run.residual + plane * s.out_plane()) {}
};

// Output rows [oh0, oh1) of output plane `plane` (image * oc + channel).
template <int ACT>
void plane_rows(const Conv2dPlan& p, const ConvRun& run, int64_t plane, int64_t oh0, int64_t oh1) {
  const ConvShape& s = p.s;
  const PlaneIo io(s, run, plane);
  const float* x = io.x;
  Row r{s, nullptr, 0, 0, p.weight.data() + io.oc * s.taps(), nullptr, nullptr, run.accumulate,
        _mm256_set1_ps(p.bias_at(io.oc)), ActVec(p.act)};
  for (int64_t oh = oh0; oh < oh1; ++oh) {
    const int64_t ih = oh * s.sh - s.pt;  // input row of tap kh = 0
    r.kh0 = std::max<int64_t>(0, (-ih + s.dh - 1) / s.dh);
    r.kh1 = std::max(r.kh0, std::min(s.kh, ih > s.h - 1 ? 0 : (s.h - 1 - ih) / s.dh + 1));
    r.row0 = r.kh0 < r.kh1 ? x + (ih + r.kh0 * s.dh) * s.w : x;
    r.out = io.y + oh * s.ow;
    r.res = io.res == nullptr ? nullptr : io.res + oh * s.ow;
    if (s.sw == 1) {
      row<1, ACT>(r);
    } else if (s.sw == 2) {
      row<2, ACT>(r);
    } else {
      row<0, ACT>(r);
    }
  }
}

// ---- 3x3, dilation 1, stride 1 (MobileNet's depthwise): the cost of the generic path is its address and mask
// arithmetic, so here each input row is first copied into scratch with its zero padding, after which every tap of
// every vector is one plain unaligned load. The 9 weights stay in registers and two output rows are computed per
// pass, sharing the input rows they both read.

// Scratch length of one padded row (tap kw of output column ox reads padded column ox + kw): the last vector's
// kw = 2 load ends at 8 * nvec + 1.
int64_t k3_ld(const ConvShape& s) {
  const int64_t nvec = (s.ow + 7) / 8;
  return (std::max(8 * nvec + 2, s.pl + s.w) + 7) / 8 * 8;
}

// Input row ih (zeros outside the input) into dst, padded. Straight from the input, vector by vector: staging the
// padded row in memory first and re-reading it stalls on store forwarding.
void k3_fill(const ConvShape& s, int64_t ld, const float* x, int64_t ih, float* dst) {
  if (ih < 0 || ih >= s.h) {
    std::fill(dst, dst + ld, 0.f);
    return;
  }
  const float* xr = x + ih * s.w;
  for (int64_t j = 0; j < ld; j += 8) _mm256_storeu_ps(dst + j, avx2::row_cols(xr, j - s.pl, s.w));
}

// The first n (1..7) lanes of v to p, as at most three plain stores: a masked store (vmaskmovps) is microcoded and
// slow on AMD, and small planes end every row with one.
inline void k3_store_tail(float* p, __m256 v, int64_t n) {
  __m128 q = _mm256_castps256_ps128(v);
  if (n >= 4) {
    _mm_storeu_ps(p, q);
    p += 4;
    n -= 4;
    q = _mm256_extractf128_ps(v, 1);
  }
  if (n >= 2) {
    _mm_storel_pi(reinterpret_cast<__m64*>(p), q);
    p += 2;
    n -= 2;
    q = _mm_movehl_ps(q, q);
  }
  if (n == 1) _mm_store_ss(p, q);
}

struct K3 {
  __m256 w0, w1, w2, w3, w4, w5, w6, w7, w8, bias;
  ActVec act;
  int64_t ld, ow;
  bool acc_in;
};

// Channel oc's weights and bias broadcast; ld: the padded rows' length (0 when read in place).
K3 k3_weights(const Conv2dPlan& p, const ConvRun& run, int64_t oc, int64_t ld) {
  const float* wk = p.weight.data() + oc * 9;
  return K3{_mm256_set1_ps(wk[0]), _mm256_set1_ps(wk[1]), _mm256_set1_ps(wk[2]), _mm256_set1_ps(wk[3]),
            _mm256_set1_ps(wk[4]), _mm256_set1_ps(wk[5]), _mm256_set1_ps(wk[6]), _mm256_set1_ps(wk[7]),
            _mm256_set1_ps(wk[8]), _mm256_set1_ps(p.bias_at(oc)), ActVec(p.act), ld, p.s.ow, run.accumulate};
}

// acc += the three taps (kw = 0..2) of padded row q for output columns x .. x + 7, weighted by wa, wb, wc.
inline __m256 k3_row(const float* q, int64_t x, __m256 wa, __m256 wb, __m256 wc, __m256 acc) {
  acc = _mm256_fmadd_ps(wa, _mm256_loadu_ps(q + x), acc);
  acc = _mm256_fmadd_ps(wb, _mm256_loadu_ps(q + x + 1), acc);
  return _mm256_fmadd_ps(wc, _mm256_loadu_ps(q + x + 2), acc);
}

// NR (1 or 2) output rows from padded rows `in` (tap kh = 0 of the first), epilogue included.
template <int NR, int ACT>
void k3_rows(const K3& k, const float* in, float* out, const float* res) {
  const float* q0 = in;
  const float* q1 = in + k.ld;
  const float* q2 = in + 2 * k.ld;
  auto vec = [&](int64_t x, auto masked_tag) {
    constexpr bool MASKED = decltype(masked_tag)::value;
    const __m256i m = avx2::tail_mask(k.ow - x);
    auto start = [&](const float* o) {
      if (!k.acc_in) return _mm256_setzero_ps();
      return MASKED ? _mm256_maskload_ps(o + x, m) : _mm256_loadu_ps(o + x);
    };
    auto finish = [&](__m256 acc, float* o, const float* r) {
      __m256 v = _mm256_add_ps(acc, k.bias);
      if (r != nullptr) v = _mm256_add_ps(v, MASKED ? _mm256_maskload_ps(r + x, m) : _mm256_loadu_ps(r + x));
      v = avx2::act_ps<ACT>(v, k.act);
      if constexpr (MASKED) {
        k3_store_tail(o + x, v, k.ow - x);
      } else {
        _mm256_storeu_ps(o + x, v);
      }
    };
    __m256 a0 = start(out);
    a0 = k3_row(q0, x, k.w0, k.w1, k.w2, a0);
    a0 = k3_row(q1, x, k.w3, k.w4, k.w5, a0);
    a0 = k3_row(q2, x, k.w6, k.w7, k.w8, a0);
    if constexpr (NR == 2) {
      __m256 a1 = start(out + k.ow);
      a1 = k3_row(q1, x, k.w0, k.w1, k.w2, a1);  // rows 1 .. 3
      a1 = k3_row(q2, x, k.w3, k.w4, k.w5, a1);
      a1 = k3_row(q2 + k.ld, x, k.w6, k.w7, k.w8, a1);
      finish(a1, out + k.ow, res == nullptr ? nullptr : res + k.ow);
    }
    finish(a0, out, res);
  };
  int64_t x = 0;
  for (; x + 8 <= k.ow; x += 8) vec(x, std::false_type{});
  if (x < k.ow) vec(x, std::true_type{});
}

constexpr int64_t K3_CHUNK = 16;  // output rows per scratch fill: the padded rows stay in L1

// Output rows [oh0, oh1) of output plane `plane`.
template <int ACT>
void k3_plane(const Conv2dPlan& p, const ConvRun& run, int64_t plane, int64_t oh0, int64_t oh1) {
  const ConvShape& s = p.s;
  const PlaneIo io(s, run, plane);
  const float* x = io.x;
  const int64_t ld = k3_ld(s), max_rows = K3_CHUNK + 2;
  float* buf = scratch(1, static_cast<size_t>(max_rows * ld));
  const K3 k = k3_weights(p, run, io.oc, ld);
  float* y = io.y;
  const float* res = io.res;
  for (int64_t c0 = oh0; c0 < oh1; c0 += K3_CHUNK) {
    const int64_t c1 = std::min(oh1, c0 + K3_CHUNK), ih0 = c0 - s.pt;
    for (int64_t r = 0; r < c1 - c0 + 2; ++r) k3_fill(s, ld, x, ih0 + r, buf + r * ld);
    int64_t oh = c0;
    for (; oh + 2 <= c1; oh += 2)
      k3_rows<2, ACT>(k, buf + (oh - c0) * ld, y + oh * s.ow, res == nullptr ? nullptr : res + oh * s.ow);
    if (oh < c1) k3_rows<1, ACT>(k, buf + (oh - c0) * ld, y + oh * s.ow, res == nullptr ? nullptr : res + oh * s.ow);
  }
}


// Rows of whole vectors with padding 1 left and right (w == ow, a multiple of 8 and >= 16: MobileNet's 112 and 56
// maps; any padding above and below) need no copy at all: every vector loads its taps straight from the input
// rows, the first vector's tap 0 (columns -1 .. 6) being its tap 1 moved up a lane with a zero in lane 0 and the
// last vector's tap 2 (columns w - 7 .. w) its tap 1 moved down a lane with a zero in lane 7, so no load leaves its
// row. Rows above and below the input read a zero row. One thread, alternated in one process, us, padded copy /
// this: 16 channels at 56x56 20 / 14, 144 at 56x56 194 / 153, 32 at 112x112 132 / 97 (batch 8, two threads 1684 /
// 925).
bool k3_whole(const ConvShape& s) { return s.pl == 1 && s.w == s.ow && s.ow % 8 == 0 && s.ow >= 16; }

enum K3Edge { K3_MID, K3_FIRST, K3_LAST };

// Output pixels x .. x + 7 of NR (1 or 2) output rows out, out + ow from input rows r[0 .. NR + 1] (column 0 of each).
template <int NR, K3Edge E, int ACT>
__attribute__((always_inline)) inline void k3w_vec(const K3& k, const float* const* r, float* out, const float* res,
                                                   int64_t x) {
  const auto row3 = [&](const float* row, __m256 wa, __m256 wb, __m256 wc, __m256 acc) {
    const float* q = row + x - 1;  // tap 0's column
    const __m256 t1 = _mm256_loadu_ps(q + 1);
    __m256 t0, t2;
    if constexpr (E == K3_FIRST) {
      t0 = _mm256_blend_ps(_mm256_permutevar8x32_ps(t1, _mm256_setr_epi32(0, 0, 1, 2, 3, 4, 5, 6)),
                           _mm256_setzero_ps(), 0x01);
    } else {
      t0 = _mm256_loadu_ps(q);
    }
    if constexpr (E == K3_LAST) {
      t2 = _mm256_blend_ps(_mm256_permutevar8x32_ps(t1, _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 7)),
                           _mm256_setzero_ps(), 0x80);
    } else {
      t2 = _mm256_loadu_ps(q + 2);
    }
    acc = _mm256_fmadd_ps(wa, t0, acc);
    acc = _mm256_fmadd_ps(wb, t1, acc);
    return _mm256_fmadd_ps(wc, t2, acc);
  };
  const auto start = [&](const float* o) { return k.acc_in ? _mm256_loadu_ps(o + x) : _mm256_setzero_ps(); };
  const auto finish = [&](__m256 acc, float* o, const float* rs) {
    __m256 v = _mm256_add_ps(acc, k.bias);
    if (rs != nullptr) v = _mm256_add_ps(v, _mm256_loadu_ps(rs + x));
    _mm256_storeu_ps(o + x, avx2::act_ps<ACT>(v, k.act));
  };
  __m256 a0 = start(out);
  a0 = row3(r[0], k.w0, k.w1, k.w2, a0);
  a0 = row3(r[1], k.w3, k.w4, k.w5, a0);
  a0 = row3(r[2], k.w6, k.w7, k.w8, a0);
  if constexpr (NR == 2) {
    __m256 a1 = start(out + k.ow);
    a1 = row3(r[1], k.w0, k.w1, k.w2, a1);  // rows 1 .. 3
    a1 = row3(r[2], k.w3, k.w4, k.w5, a1);
    a1 = row3(r[3], k.w6, k.w7, k.w8, a1);
    finish(a1, out + k.ow, res == nullptr ? nullptr : res + k.ow);
  }
  finish(a0, out, res);
}

template <int NR, int ACT>
void k3w_rows(const K3& k, const float* const* r, float* out, const float* res) {
  k3w_vec<NR, K3_FIRST, ACT>(k, r, out, res, 0);
  for (int64_t x = 8; x < k.ow - 8; x += 8) k3w_vec<NR, K3_MID, ACT>(k, r, out, res, x);
  k3w_vec<NR, K3_LAST, ACT>(k, r, out, res, k.ow - 8);
}

// Output rows [oh0, oh1) of output plane `plane` (k3_whole(s)); zero: a row of s.w zeros.
template <int ACT>
void k3w_plane(const Conv2dPlan& p, const ConvRun& run, int64_t plane, int64_t oh0, int64_t oh1, const float* zero) {
  const ConvShape& s = p.s;
  const PlaneIo io(s, run, plane);
  const float* x = io.x;
  const K3 k = k3_weights(p, run, io.oc, 0);
  float* y = io.y;
  const float* res = io.res;
  for (int64_t oh = oh0; oh < oh1;) {
    const int nr = oh + 2 <= oh1 ? 2 : 1;
    const float* r[4];
    for (int i = 0; i < 4; ++i) {
      const int64_t ih = oh - s.pt + i;
      r[i] = ih >= 0 && ih < s.h && i <= nr + 1 ? x + ih * s.w : zero;
    }
    float* o = y + oh * s.ow;
    const float* rs = res == nullptr ? nullptr : res + oh * s.ow;
    if (nr == 2) {
      k3w_rows<2, ACT>(k, r, o, rs);
    } else {
      k3w_rows<1, ACT>(k, r, o, rs);
    }
    oh += nr;
  }
}

// ---- 3x3 stride 2, dilation 1 on large planes (MobileNet's 112 -> 56 and 56 -> 28): straight from the input rows,
// no padded copy. Output columns x .. x + 7 read input columns c + 2j + kw (c = 2x - pl). Per input row, loads at
// c, c + 8, c + 1, c + 9 and three vshufps give the taps kw = 0 (even lanes of the first pair), 1 and 2 (even and
// odd lanes of the second pair); a pair at c + 2, c + 10 would cross a cache line more often. vshufps leaves pixels
// in the order 0 1 4 5 2 3 6 7 for every tap alike, so the accumulators stay in that order and one permute per
// output vector restores it. Two output rows per pass share their middle input row; rows above and below the input
// read a zero row. Vectors reading outside the row mask their loads; with padding 1 the first vector masks only
// its first load, and a last vector of at most 4 pixels goes as one 128-bit vector (in order, often unmasked).
// The loops are written out with rows, weights and masks in locals: through lambdas and structs passed around, GCC
// recomputed addresses and reloaded weights per vector, which had cost more than the taps.

// How the loads of a vector are guarded.
enum S2Edge { S2_CLEAN, S2_FIRST, S2_MASKED };  // FIRST: only the load at c masked

// Lane masks of a border vector's loads at c, c + 8, c + 1, c + 9 (lanes outside the row: not accessed, read 0);
// of a 128-bit vector's loads at c, c + 4, c + 1, c + 5, in the low halves.
struct S2Mask {
  __m256i a, b, p, q;
};

// The vectors of a row: [v0, v1) clean (all 17 columns c .. c + 16 inside the row, all 8 pixels live), the others
// border vectors, whose masks are made once per run (the first S2_MASKS on each side; any further ones per pass).
constexpr int S2_MASKS = 2;
struct S2Cols {
  int64_t w, pl, ow, nvec, v0, v1, vh;  // vh: the 128-bit last vector, or nvec if none
  bool first;                           // vector 0 needs only its load at c masked
  bool half_clean;                      // the 128-bit vector's columns c .. c + 8 lie inside the row
  S2Mask left[S2_MASKS], right[S2_MASKS], half;
  S2Cols(int64_t w_, int64_t pl_, int64_t ow_) : w(w_), pl(pl_), ow(ow_), nvec((ow_ + 7) / 8) {
    v0 = std::min(nvec, (pl + 15) / 16);  // 16 v - pl >= 0
    const int64_t room = w - 17 + pl;     // largest clean x: 2x - pl + 16 <= w - 1 and x + 8 <= ow
    const int64_t hi = room < 0 ? -1 : std::min(room / 2, ow - 8);
    v1 = hi < 0 ? v0 : std::clamp<int64_t>(hi / 8 + 1, v0, nvec);
    first = pl == 1 && w >= 16 && ow >= 8;  // vector 0: columns -1 .. 15, 8 pixels
    vh = nvec >= 1 && nvec - 1 >= std::max(v0, v1) && ow - 8 * (nvec - 1) <= 4 ? nvec - 1 : nvec;
    const int64_t ch = 16 * vh - pl;
    half_clean = ch >= 0 && ch + 8 <= w - 1;
    for (int i = 0; i < S2_MASKS; ++i) {
      left[i] = make(i);
      right[i] = make(v1 + i);
    }
    half = {avx2::row_mask(ch, w), avx2::row_mask(ch + 4, w), avx2::row_mask(ch + 1, w), avx2::row_mask(ch + 5, w)};
  }
  S2Mask make(int64_t v) const {
    const int64_t c = 16 * v - pl;
    return {avx2::row_mask(c, w), avx2::row_mask(c + 8, w), avx2::row_mask(c + 1, w), avx2::row_mask(c + 9, w)};
  }
  __attribute__((always_inline)) S2Mask mask(int64_t v) const {
    if (v < v0) return v < S2_MASKS ? left[v] : make(v);
    return v - v1 < S2_MASKS ? right[v - v1] : make(v);
  }
};

inline __m256 s2_fma(__m256 a, __m256 b, __m256 c) { return _mm256_fmadd_ps(a, b, c); }
inline __m128 s2_fma(__m128 a, __m128 b, __m128 c) { return _mm_fmadd_ps(a, b, c); }
inline __m256 s2_mul(__m256 a, __m256 b) { return _mm256_mul_ps(a, b); }
inline __m128 s2_mul(__m128 a, __m128 b) { return _mm_mul_ps(a, b); }
inline __m256 s2_add(__m256 a, __m256 b) { return _mm256_add_ps(a, b); }
inline __m128 s2_add(__m128 a, __m128 b) { return _mm_add_ps(a, b); }

inline __m256 s2_unshuffle(__m256 v) {
  return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(v), _MM_SHUFFLE(3, 1, 2, 0)));
}

// Weights and bias as vectors of L lanes (8, or 4 for the 128-bit vector).
template <int L>
struct S2Lanes;
template <>
struct S2Lanes<8> {
  using V = __m256;
};
template <>
struct S2Lanes<4> {
  using V = __m128;
};
template <int L>
struct S2Weights {
  using V = typename S2Lanes<L>::V;
  V w0, w1, w2, w3, w4, w5, w6, w7, w8, bias;
};

// Bias + taps of NR (1 or 2) output rows from input rows r[0 .. 2 NR] into a[0 .. NR); taps(row, t0, t1, t2) gives
// one input row's taps kw = 0, 1, 2. One short FMA chain per input row and output row (six three long per two
// vectors, not two nine long); the bias starts the middle row's.
template <int NR, int L, typename Taps>
__attribute__((always_inline)) inline void s2_sum(const S2Weights<L>& k, const float* const* r, const Taps& taps,
                                                  typename S2Weights<L>::V* a) {
  using V = typename S2Weights<L>::V;
  V t0, t1, t2;
  const auto dot = [&](V wa, V wb, V wc, V acc) { return s2_fma(wc, t2, s2_fma(wb, t1, s2_fma(wa, t0, acc))); };
  const auto dot0 = [&](V wa, V wb, V wc) { return s2_fma(wc, t2, s2_fma(wb, t1, s2_mul(wa, t0))); };
  taps(r[2], t0, t1, t2);  // the middle row of two output rows: read once for both
  const V m0 = dot(k.w6, k.w7, k.w8, k.bias);
  const V m1 = NR == 2 ? dot(k.w0, k.w1, k.w2, k.bias) : m0;
  taps(r[0], t0, t1, t2);
  const V u0 = dot0(k.w0, k.w1, k.w2);
  taps(r[1], t0, t1, t2);
  a[0] = s2_add(m0, s2_add(u0, dot0(k.w3, k.w4, k.w5)));
  if constexpr (NR == 2) {
    taps(r[3], t0, t1, t2);
    const V u1 = dot0(k.w3, k.w4, k.w5);
    taps(r[4], t0, t1, t2);
    a[1] = s2_add(m1, s2_add(u1, dot0(k.w6, k.w7, k.w8)));
  }
}

// Residual or accumulated output (!PLAIN), activation, store of n (1..8) pixels at out + x (v in pixel order).
template <bool PLAIN, int ACT>
__attribute__((always_inline)) inline void s2_store(__m256 v, const ActVec& act, float* out, const float* res,
                                                    int64_t x, int64_t n, bool acc_in) {
  if constexpr (!PLAIN) {
    const __m256i lm = avx2::tail_mask(n);
    if (acc_in) v = _mm256_add_ps(v, n == 8 ? _mm256_loadu_ps(out + x) : _mm256_maskload_ps(out + x, lm));
    if (res != nullptr) v = _mm256_add_ps(v, n == 8 ? _mm256_loadu_ps(res + x) : _mm256_maskload_ps(res + x, lm));
  }
  v = avx2::act_ps<ACT>(v, act);
  if (n == 8) {
    _mm256_storeu_ps(out + x, v);
  } else {
    k3_store_tail(out + x, v, n);
  }
}

// Output vector x (8 pixels, the last ones cut at ow) of NR output rows o[0], o[1] (residual rows q[0], q[1] or
// null) from input rows r[0 .. 2 NR], each pointing at its column -pl. PLAIN: no residual, nothing accumulated.
template <int NR, S2Edge EDGE, bool PLAIN, int ACT>
__attribute__((always_inline)) inline void s2_vec(const S2Weights<8>& k, const ActVec& act,
                                                  const float* const* r, float* const* o, const float* const* q,
                                                  int64_t x, int64_t ow, bool acc_in, const S2Mask& m) {
  const int64_t c = 2 * x;
  const auto taps = [&](const float* row, __m256& t0, __m256& t1, __m256& t2) {
    const __m256 a = EDGE != S2_CLEAN ? _mm256_maskload_ps(row + c, m.a) : _mm256_loadu_ps(row + c);
    const __m256 b = EDGE == S2_MASKED ? _mm256_maskload_ps(row + c + 8, m.b) : _mm256_loadu_ps(row + c + 8);
    __m256 p = EDGE == S2_MASKED ? _mm256_maskload_ps(row + c + 1, m.p) : _mm256_loadu_ps(row + c + 1);
    __m256 u = EDGE == S2_MASKED ? _mm256_maskload_ps(row + c + 9, m.q) : _mm256_loadu_ps(row + c + 9);
    asm("" : "+x"(p), "+x"(u));  // in registers: GCC would load each twice, as operands of both shuffles
    t0 = _mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
    t1 = _mm256_shuffle_ps(p, u, _MM_SHUFFLE(2, 0, 2, 0));
    t2 = _mm256_shuffle_ps(p, u, _MM_SHUFFLE(3, 1, 3, 1));
  };
  __m256 a[NR];
  s2_sum<NR>(k, r, taps, a);
  const int64_t n = EDGE == S2_MASKED ? std::min<int64_t>(8, ow - x) : 8;
  s2_store<PLAIN, ACT>(s2_unshuffle(a[0]), act, o[0], q[0], x, n, acc_in);
  if constexpr (NR == 2) s2_store<PLAIN, ACT>(s2_unshuffle(a[1]), act, o[1], q[1], x, n, acc_in);
}

// The same for a last vector of n = ow - x <= 4 pixels as one 128-bit vector: loads at c, c + 4 and c + 1, c + 5
// give the taps in pixel order. MASKED: the loads masked by m's low halves.
template <int NR, bool MASKED, bool PLAIN, int ACT>
__attribute__((always_inline)) inline void s2_half(const S2Weights<8>& k, const ActVec& act,
                                                   const float* const* r, float* const* o, const float* const* q,
                                                   int64_t x, int64_t ow, bool acc_in, const S2Mask& m) {
  const int64_t c = 2 * x;
  const auto lo = [](__m256 v) { return _mm256_castps256_ps128(v); };
  const S2Weights<4> h{lo(k.w0), lo(k.w1), lo(k.w2), lo(k.w3), lo(k.w4),
                       lo(k.w5), lo(k.w6), lo(k.w7), lo(k.w8), lo(k.bias)};
  const auto load = [&](const float* p, __m256i mask) {
    return MASKED ? _mm_maskload_ps(p, _mm256_castsi256_si128(mask)) : _mm_loadu_ps(p);
  };
  const auto taps = [&](const float* row, __m128& t0, __m128& t1, __m128& t2) {
    const __m128 a = load(row + c, m.a), b = load(row + c + 4, m.b);
    const __m128 p = load(row + c + 1, m.p), u = load(row + c + 5, m.q);
    t0 = _mm_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0));
    t1 = _mm_shuffle_ps(p, u, _MM_SHUFFLE(2, 0, 2, 0));
    t2 = _mm_shuffle_ps(p, u, _MM_SHUFFLE(3, 1, 3, 1));
  };
  __m128 a[NR];
  s2_sum<NR>(h, r, taps, a);
  const int64_t n = ow - x;
  s2_store<PLAIN, ACT>(_mm256_castps128_ps256(a[0]), act, o[0], q[0], x, n, acc_in);
  if constexpr (NR == 2) s2_store<PLAIN, ACT>(_mm256_castps128_ps256(a[1]), act, o[1], q[1], x, n, acc_in);
}

// One pass over NR output rows: every vector of the row.
template <int NR, bool PLAIN, int ACT>
__attribute__((always_inline)) inline void s2_pass(const S2Weights<8>& k, const ActVec& act, const S2Cols& cols,
                                                   const float* const* r, float* const* o, const float* const* q,
                                                   bool acc_in) {
  const int64_t ow = cols.ow, v0 = cols.v0, v1 = cols.v1, vh = cols.vh;
  const S2Mask none{};
  int64_t v = 0;
  if (cols.first) {
    s2_vec<NR, S2_FIRST, PLAIN, ACT>(k, act, r, o, q, 0, ow, acc_in, cols.left[0]);
    v = 1;
  }
  for (; v < v0; ++v) s2_vec<NR, S2_MASKED, PLAIN, ACT>(k, act, r, o, q, 8 * v, ow, acc_in, cols.mask(v));
  for (; v < v1; ++v) s2_vec<NR, S2_CLEAN, PLAIN, ACT>(k, act, r, o, q, 8 * v, ow, acc_in, none);
  for (; v < vh; ++v) s2_vec<NR, S2_MASKED, PLAIN, ACT>(k, act, r, o, q, 8 * v, ow, acc_in, cols.mask(v));
  if (v < cols.nvec) {
    if (cols.half_clean) {
      s2_half<NR, false, PLAIN, ACT>(k, act, r, o, q, 8 * v, ow, acc_in, cols.half);
    } else {
      s2_half<NR, true, PLAIN, ACT>(k, act, r, o, q, 8 * v, ow, acc_in, cols.half);
    }
  }
}

// An input of more floats than this (4 MB) comes from memory, not cache: s2_plane then prefetches the rows its next
// passes read (MobileNetV2's convolutions chained in C++: 96 channels at 112x112 243-362 -> 197-267 us). Smaller
// ones are partly in L2, where the prefetches cost more than they save (144 at 56x56 73-107 -> 79-118 us).
constexpr int64_t kS2StreamFloats = 1024 * 1024;

// Output rows [oh0, oh1) of output plane `plane`, two at a time. ahead: prefetch the input rows of the next passes.
template <bool PLAIN, int ACT>
void s2_plane(const Conv2dPlan& p, const ConvRun& run, const S2Cols& cols, int64_t plane, int64_t oh0, int64_t oh1,
              const float* zero, bool ahead) {
  const ConvShape& s = p.s;
  const PlaneIo io(s, run, plane);
  const float* x = io.x;
  const float* wk = p.weight.data() + io.oc * 9;
  const S2Weights<8> k{_mm256_set1_ps(wk[0]), _mm256_set1_ps(wk[1]), _mm256_set1_ps(wk[2]), _mm256_set1_ps(wk[3]),
                       _mm256_set1_ps(wk[4]), _mm256_set1_ps(wk[5]), _mm256_set1_ps(wk[6]), _mm256_set1_ps(wk[7]),
                       _mm256_set1_ps(wk[8]), _mm256_set1_ps(p.bias_at(io.oc))};
  const ActVec act(p.act);
  const int64_t ow = s.ow;
  float* y = io.y;
  const float* res = io.res;
  for (int64_t oh = oh0; oh < oh1;) {
    const int nr = oh + 2 <= oh1 ? 2 : 1;
    const float* r[5];
    for (int i = 0; i < 5; ++i) {
      const int64_t ih = 2 * oh - s.pt + i;
      r[i] = (ih >= 0 && ih < s.h && i <= 2 * nr ? x + ih * s.w : zero) - s.pl;
    }
    if (ahead) {  // the four rows after the ones this pass reads: the next pass's new rows
      const int64_t a = std::clamp<int64_t>(2 * oh - s.pt + 5, 0, s.h), b = std::clamp<int64_t>(a + 4, 0, s.h);
      const char* end = reinterpret_cast<const char*>(x + b * s.w);
      for (const char* l = reinterpret_cast<const char*>(x + a * s.w); l < end; l += 64) _mm_prefetch(l, _MM_HINT_T0);
    }
    float* const o[2] = {y + oh * ow, y + (oh + nr - 1) * ow};
    const float* const q[2] = {res == nullptr ? nullptr : res + oh * ow,
                               res == nullptr ? nullptr : res + (oh + nr - 1) * ow};
    if (nr == 2) {
      s2_pass<2, PLAIN, ACT>(k, act, cols, r, o, q, run.accumulate);
    } else {
      s2_pass<1, PLAIN, ACT>(k, act, cols, r, o, q, run.accumulate);
    }
    oh += nr;
  }
}

// ---- Small planes (MobileNet's 28x28 and below): per plane, a row is one or two vectors, and the border, tail and
// setup work of the paths above costs as much as the taps. Here eight channels go through together, vectorised
// across channels: their input planes are transposed into one zero-padded pixel-major block (8 floats per pixel, a
// channel per lane), every tap of every output pixel is then one aligned load and one FMA with no masks and no
// dead lanes, whatever the kernel, stride, dilation or plane width; the results are transposed back in registers.

constexpr int C8 = 8;  // channels per block: one AVX2 vector of one pixel

// The padded block of one group of channels: rows ph x columns pw pixels of 8 floats, holding input pixel (ih, iw)
// at (pt + ih, pl + iw) and zeros around it; only the rows and columns some output reads.
// Rows are pw + 1 pixels apart: the last is where c8_fill parks input columns no output reads.
struct C8Layout {
  int64_t ph, pw, hu, wu;  // padded size; input rows / columns copied in
  explicit C8Layout(const ConvShape& s)
      : ph((s.oh - 1) * s.sh + (s.kh - 1) * s.dh + 1),
        pw((s.ow - 1) * s.sw + (s.kw - 1) * s.dw + 1),
        hu(std::max<int64_t>(0, std::min(s.h, ph - s.pt))),
        wu(std::max<int64_t>(0, std::min(s.w, pw - s.pl))) {}
  int64_t ld() const { return pw + 1; }
  int64_t floats() const { return ph * ld() * C8; }
};

// v[0 .. n) (n <= 8) to the pixels at dst[0], dst[1], ...: spelled out, as a loop GCC turns it into a copy through
// the stack.
inline void store_pixels(float* const dst[C8], const __m256 v[C8], int64_t n) {
  switch (n) {
    case 8: _mm256_store_ps(dst[7], v[7]); [[fallthrough]];
    case 7: _mm256_store_ps(dst[6], v[6]); [[fallthrough]];
    case 6: _mm256_store_ps(dst[5], v[5]); [[fallthrough]];
    case 5: _mm256_store_ps(dst[4], v[4]); [[fallthrough]];
    case 4: _mm256_store_ps(dst[3], v[3]); [[fallthrough]];
    case 3: _mm256_store_ps(dst[2], v[2]); [[fallthrough]];
    case 2: _mm256_store_ps(dst[1], v[1]); [[fallthrough]];
    default: _mm256_store_ps(dst[0], v[0]);
  }
}

// Where pixels go in the padded block, computed once per run (no per-pixel row/column arithmetic in the loops):
// in[i]: input pixel i (flattened) -> its float offset, `total` of them; out[i]: output pixel i -> the offset of its
// tap (0, 0), rounded up to a multiple of 8 pixels by repeating the last.
struct C8Offsets {
  const int32_t* in;
  const int32_t* out;
  int64_t total;  // input pixels copied: through the last one read
};

void c8_offsets(const ConvShape& s, const C8Layout& L, int32_t* in, int32_t* out) {
  int64_t i = 0;  // row and column counters: a division per pixel would cost as much as the block's taps
  for (int64_t r = 0; r < L.hu; ++r)
    for (int64_t c = 0; c < (r + 1 < L.hu ? s.w : L.wu); ++c)  // columns no output reads: parked on column pw
      in[i++] = static_cast<int32_t>(((s.pt + r) * L.ld() + (c < L.wu ? s.pl + c : L.pw)) * C8);
  i = 0;
  for (int64_t r = 0; r < s.oh; ++r)
    for (int64_t c = 0; c < s.ow; ++c) out[i++] = static_cast<int32_t>((r * s.sh * L.ld() + c * s.sw) * C8);
  for (; i % 8 != 0; ++i) out[i] = out[i - 1];
}

// Channels [oc0, oc0 + nc) of image n: their input planes transposed into blk (C8Layout), lanes >= nc zero. A plane
// is contiguous, so it goes eight floats at a time whatever its width; only its last chunk is a masked load.
// border: also zero the padding around the input pixels (once per block buffer and run: the pixels never touch it).
void c8_fill(const ConvShape& s, const C8Layout& L, const C8Offsets& off, const float* x, int64_t n, int64_t oc0,
             int64_t nc, float* blk, bool border) {
  const __m256 zero = _mm256_setzero_ps();
  const float* src[C8];
  for (int c = 0; c < C8; ++c) src[c] = c < nc ? x + (n * s.ic + (oc0 + c) / s.ocg()) * s.in_plane() : nullptr;
  auto zero_px = [&](int64_t r, int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; ++c) _mm256_store_ps(blk + (r * L.ld() + c) * C8, zero);
  };
  if (border) {
    for (int64_t r = 0; r < s.pt; ++r) zero_px(r, 0, L.pw);
    for (int64_t r = s.pt + L.hu; r < L.ph; ++r) zero_px(r, 0, L.pw);
    for (int64_t r = s.pt; r < s.pt + L.hu; ++r) {
      zero_px(r, 0, s.pl);
      zero_px(r, s.pl + L.wu, L.pw);
    }
  }
  int64_t i = 0;
  const int32_t* to = off.in;  // a local: stores through blk would otherwise reload it from off every time
  if (nc == C8) {  // whole chunks of a whole block: straight-line code (the loop below branches per lane)
    const float *s0 = src[0], *s1 = src[1], *s2 = src[2], *s3 = src[3], *s4 = src[4], *s5 = src[5],
                *s6 = src[6], *s7 = src[7];
    for (; i + 8 <= off.total; i += 8) {
      __m256 v[C8] = {_mm256_loadu_ps(s0 + i), _mm256_loadu_ps(s1 + i), _mm256_loadu_ps(s2 + i),
                      _mm256_loadu_ps(s3 + i), _mm256_loadu_ps(s4 + i), _mm256_loadu_ps(s5 + i),
                      _mm256_loadu_ps(s6 + i), _mm256_loadu_ps(s7 + i)};
      transpose8(v);
      for (int k = 0; k < C8; ++k) _mm256_store_ps(blk + to[i + k], v[k]);
    }
  }
  for (; i < off.total; i += 8) {
    const int64_t cnt = std::min<int64_t>(8, off.total - i);
    const __m256i m = avx2::tail_mask(cnt);
    __m256 v[C8];
    for (int c = 0; c < C8; ++c)
      v[c] = c >= nc ? zero : cnt == 8 ? _mm256_loadu_ps(src[c] + i) : _mm256_maskload_ps(src[c] + i, m);
    transpose8(v);
    float* dst[C8];
    for (int k = 0; k < C8; ++k) dst[k] = blk + to[std::min<int64_t>(i + k, off.total - 1)];
    store_pixels(dst, v, cnt);
  }
}

// n floats (1..8) at p as a vector, the other lanes unspecified.
inline __m256 load_first(const float* p, int64_t n) {
  return n == 8 ? _mm256_loadu_ps(p) : _mm256_maskload_ps(p, avx2::tail_mask(n));
}

// Interleaved weights: after the plain [oc][taps] copy, per block of 8 channels [taps][8] (zero past oc).
const float* c8_weights(const Conv2dPlan& p, int64_t block) {
  return p.weight.data() + p.s.oc * p.s.taps() + block * p.s.taps() * C8;
}

// Block `block` (8 channels) of image n. The output pixels go eight at a time in row-major (flattened) order, so
// even 7-wide planes keep eight FMA chains in flight; the eight accumulators (one pixel, 8 channels each) are then
// transposed in registers into eight channels' runs of 8 consecutive outputs, which are contiguous in their planes:
// epilogue and full stores, a short one only at a plane's end. The weight vectors are re-read from L1 per tap
// (eight accumulators and nine weights would not fit in the sixteen registers). The accumulators start at the bias;
// a plane's last group of at most 4 pixels runs 4 of them. K: 3 for 3x3, 0 for any kernel.
template <int K, int ACT>
void c8_block(const Conv2dPlan& p, const ConvRun& run, const C8Layout& L, const C8Offsets& off, int64_t n,
              int64_t block, float* blk, bool border) {
  const ConvShape& s = p.s;
  const int64_t oc0 = block * C8, nc = std::min<int64_t>(C8, s.oc - oc0);
  c8_fill(s, L, off, run.x, n, oc0, nc, blk, border);
  alignas(32) float b[C8] = {};
  for (int64_t c = 0; c < nc; ++c) b[c] = p.bias_at(oc0 + c);
  const __m256 bias = _mm256_load_ps(b);
  const float* wv = c8_weights(p, block);
  const ActVec act(p.act);
  const int64_t kh = K != 0 ? K : s.kh, kw = K != 0 ? K : s.kw, total = s.out_plane();
  const int64_t dh = s.dh * L.ld() * C8, dw = s.dw * C8;
  const int64_t plane0 = (n * s.oc + oc0) * total;
  for (int64_t i = 0; i < total; i += 8) {
    const int64_t cnt = std::min<int64_t>(8, total - i);
    const float* px[C8];  // past the last pixel: the last again (those lanes are not stored)
    for (int j = 0; j < C8; ++j) px[j] = blk + off.out[i + j];
    __m256 a[C8];
    for (int j = 0; j < C8; ++j) a[j] = bias;
    auto taps = [&](auto np_tag) {
      constexpr int NP = decltype(np_tag)::value;
      for (int64_t ki = 0; ki < kh; ++ki) {
        for (int64_t kj = 0; kj < kw; ++kj) {
          const __m256 w = _mm256_loadu_ps(wv + (ki * kw + kj) * C8);
          const int64_t o = ki * dh + kj * dw;
          for (int j = 0; j < NP; ++j) a[j] = _mm256_fmadd_ps(w, _mm256_load_ps(px[j] + o), a[j]);
        }
      }
    };
    if (cnt <= 4) {
      taps(std::integral_constant<int, 4>{});
    } else {
      taps(std::integral_constant<int, C8>{});
    }
    transpose8(a);  // a[c]: channel c's outputs i .. i + 7
    float* y = run.y + plane0 + i;
    const float* res = run.residual == nullptr ? nullptr : run.residual + plane0 + i;
    if (nc == C8 && cnt == 8 && res == nullptr && !run.accumulate) {
      // the common case straight-line, so a[] stays in registers (the general loop below indexes it at run time,
      // which put it on the stack and cost ~15% of the layer)
#pragma GCC unroll 8
      for (int c = 0; c < C8; ++c) _mm256_storeu_ps(y + c * total, avx2::act_ps<ACT>(a[c], act));
      continue;
    }
    for (int64_t c = 0; c < nc; ++c, y += total) {
      __m256 t = a[c];
      if (res != nullptr) {
        t = _mm256_add_ps(t, load_first(res, cnt));
        res += total;
      }
      if (run.accumulate) t = _mm256_add_ps(t, load_first(y, cnt));
      t = avx2::act_ps<ACT>(t, act);
      if (cnt == 8) {
        _mm256_storeu_ps(y, t);
      } else {
        k3_store_tail(y, t, cnt);
      }
    }
  }
}

template <int ACT>
int32_t c8_run(const Conv2dPlan& p, const ConvRun& run) {
  const ConvShape& s = p.s;
  const C8Layout L(s);
  const int64_t blocks = (s.oc + C8 - 1) / C8;
  const bool k3 = s.kh == 3 && s.kw == 3;
  const int64_t total = (L.hu - 1) * s.w + L.wu, outs = (s.out_plane() + 7) / 8 * 8;
  auto* tables = reinterpret_cast<int32_t*>(scratch(2, static_cast<size_t>(std::max<int64_t>(0, total) + outs)));
  if (tables == nullptr) return fail(C4J_ERR_NOMEM, "out of memory for the depthwise conv2d pixel offsets");
  c8_offsets(s, L, tables, tables + std::max<int64_t>(0, total));
  const C8Offsets off{tables, tables + std::max<int64_t>(0, total), total};
  std::atomic<bool> oom{false};
  parallel_for(run.batch * blocks, [&](int64_t lo, int64_t hi) {
    float* blk = scratch(1, static_cast<size_t>(L.floats() + C8));
    if (blk == nullptr) {
      oom = true;
      return;
    }
    blk = reinterpret_cast<float*>((reinterpret_cast<uintptr_t>(blk) + 31) & ~uintptr_t{31});
    for (int64_t u = lo; u < hi; ++u) {
      if (k3) {
        c8_block<3, ACT>(p, run, L, off, u / blocks, u % blocks, blk, u == lo);
      } else {
        c8_block<0, ACT>(p, run, L, off, u / blocks, u % blocks, blk, u == lo);
      }
    }
  });
  return oom ? fail(C4J_ERR_NOMEM, "out of memory for the depthwise conv2d channel block") : C4J_OK;
}

bool is_k3(const ConvShape& s) {
  return s.kh == 3 && s.kw == 3 && s.dh == 1 && s.dw == 1 && s.sh == s.sw && (s.sw == 1 || s.sw == 2);
}

// The channel-block path pays two transposes per element and an offset lookup per pixel; it wins while output rows
// are a few vectors wide. Measured, 1 thread, 3x3 + ReLU6, GFLOP/s row path vs channel blocks: 960 @7 11 vs 19.6,
// 576 @14 s2 6.6 vs 12.6, 384 @14 18 vs 25, 192 @28 24 vs 26; 144 @56 37 vs 26 and 32 @112 38 vs 19 stay on the
// row paths. 3x3 stride 2 takes the row path from 16 outputs a row, below which the two tie or channel blocks win
// (ms, 1 thread, 144 channels, row path vs channel blocks: @24 0.022 vs 0.021, @28 0.030 vs 0.033 (192 channels
// 0.039 vs 0.040), @32 0.027 vs 0.040, @48 0.054 vs 0.084, @56 0.084 vs 0.114). Each thread needs a block of its
// own.
bool use_c8(const ConvShape& s, int64_t batch) {
  if (is_k3(s) && s.sw == 2 && s.ow >= 16) return false;
  const C8Layout L(s);
  return s.ow <= 28 && L.floats() <= 32 * 1024 && batch * ((s.oc + C8 - 1) / C8) >= num_threads();
}

}  // namespace

void conv2d_depthwise_pack(Conv2dPlan& p, const float* w) {
  const int64_t oc = p.s.oc, taps = p.s.taps(), blocks = (oc + C8 - 1) / C8;
  p.weight.assign(w, w + oc * taps);  // OIHW with I = 1: [oc][kh][kw], read by broadcast
  p.weight.resize(static_cast<size_t>(oc * taps + blocks * taps * C8), 0.f);  // + the interleaved copy (c8_weights)
  for (int64_t c = 0; c < oc; ++c)
    for (int64_t t = 0; t < taps; ++t) p.weight[oc * taps + ((c / C8) * taps + t) * C8 + c % C8] = w[c * taps + t];
}

int32_t conv2d_depthwise_run(const Conv2dPlan& p, const ConvRun& r) {
  const ConvShape& s = p.s;
  if (use_c8(s, r.batch))
    return avx2::dispatch_act(p.act.act, [&](auto tag) { return c8_run<decltype(tag)::value>(p, r); });
  const int64_t planes = r.batch * s.oc;
  const int64_t bands = std::min(s.oh, std::max<int64_t>(1, (3 * num_threads() + planes - 1) / planes));
  const bool k3 = is_k3(s);
  // the row that rows above and below the input read (stride 2, whole stride-1 rows): zeros as wide as a row
  // (stride-2 loads past it are masked)
  const bool whole = k3 && s.sw == 1 && k3_whole(s);
  float* zero = nullptr;
  if ((k3 && s.sw == 2) || whole) {
    zero = scratch(2, static_cast<size_t>(s.w));
    if (zero == nullptr) return fail(C4J_ERR_NOMEM, "out of memory for the depthwise conv2d zero row");
    std::fill(zero, zero + s.w, 0.f);
  }
  const S2Cols cols(s.w, s.pl, s.ow);
  const bool plain = r.residual == nullptr && !r.accumulate;
  const bool ahead = r.batch * s.ic * s.in_plane() > kS2StreamFloats;
  avx2::dispatch_act(p.act.act, [&](auto tag) {
    constexpr int ACT = decltype(tag)::value;
    parallel_for(planes * bands, [&](int64_t lo, int64_t hi) {
      for (int64_t u = lo; u < hi; ++u) {
        const int64_t plane = u / bands, band = u % bands;
        const int64_t oh0 = s.oh * band / bands, oh1 = s.oh * (band + 1) / bands;
        if (!k3) {
          plane_rows<ACT>(p, r, plane, oh0, oh1);
        } else if (s.sw == 1) {
          whole ? k3w_plane<ACT>(p, r, plane, oh0, oh1, zero) : k3_plane<ACT>(p, r, plane, oh0, oh1);
        } else {
          plain ? s2_plane<true, ACT>(p, r, cols, plane, oh0, oh1, zero, ahead)
                : s2_plane<false, ACT>(p, r, cols, plane, oh0, oh1, zero, ahead);
        }
      }
    });
  });
  return C4J_OK;
}

}  // namespace c4j
