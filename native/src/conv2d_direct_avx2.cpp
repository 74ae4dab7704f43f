// conv2d DIRECT: register-blocked AVX2/FMA direct convolution for any stride, dilation, groups (zero padding).
//
// Vectorised over output channels: a tile keeps 8*NV output channels x NP output pixels of one output row in
// NV*NP ymm accumulators (16 x 6 = 12 registers). Each step (kh, kw, ic) loads NV weight vectors and broadcasts
// NP input values, so the stride and dilation only change broadcast addresses. Weights are packed per
// (group, 16-channel block) as [kh][kw][ic][16]: a step reads 64 contiguous bytes.
// Padding is never materialised: a row skips the kh taps outside the input, and the few border pixels whose kw
// taps leave the row run one at a time with their own kw range.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <utility>

#include "conv2d.h"
#include "thread_pool.h"

namespace c4j {
namespace {

constexpr int64_t kBlock = 16;  // output channels per packed weight block
constexpr int kTile = 6;        // output pixels per full tile

// Smallest q with q * b >= a, and largest q with q * b <= a (b > 0, any sign of a).
inline int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

struct Tile {
  const float* x;       // input plane of the group's first channel
  int64_t base;         // index in x of pixel 0's (kh=0, kw=0, ic=0) tap; valid taps land inside the plane
  int64_t kh0, kh1, kw0, kw1;  // tap ranges inside the input
  const float* w;       // the block's packed weights
  float* out;           // y at (block's first channel, this row, pixel 0)
  int64_t nout;         // real channels in the block (<= 8 * NV)
};

// One tile: NV weight vectors x NP pixels; S is the input stride along the row (0: runtime s.sw).
// The accumulators are named variables, not an array: GCC -O3 keeps a __m256 array in memory and would store all
// twelve to the stack on every step.
template <int NV, int NP, int S>
void tile(const ConvShape& s, const Tile& t, bool accumulate) {
  static_assert(NV >= 1 && NV <= 2 && NP >= 1 && NP <= kTile, "tile size");
  __m256 a00 = _mm256_setzero_ps(), a01 = a00, a02 = a00, a03 = a00, a04 = a00, a05 = a00;
  __m256 a10 = a00, a11 = a00, a12 = a00, a13 = a00, a14 = a00, a15 = a00;
  const int64_t sw = S != 0 ? S : s.sw;
  const int64_t icg = s.icg(), plane = s.in_plane(), lanes = 8 * NV;
  for (int64_t kh = t.kh0; kh < t.kh1; ++kh) {
    for (int64_t kw = t.kw0; kw < t.kw1; ++kw) {
      const float* xp = t.x + (t.base + kh * s.dh * s.w + kw * s.dw);
      const float* wp = t.w + (kh * s.kw + kw) * icg * lanes;
      for (const float* wend = wp + icg * lanes; wp != wend; xp += plane, wp += lanes) {  // over ic
        const __m256 w0 = _mm256_loadu_ps(wp), w1 = NV > 1 ? _mm256_loadu_ps(wp + 8) : w0;
#define C4J_STEP(j)                                               \
  if constexpr (NP > j) {                                         \
    const __m256 b = _mm256_broadcast_ss(xp + j * sw);            \
    a0##j = _mm256_fmadd_ps(w0, b, a0##j);                        \
    if constexpr (NV > 1) a1##j = _mm256_fmadd_ps(w1, b, a1##j);  \
  }
        C4J_STEP(0) C4J_STEP(1) C4J_STEP(2) C4J_STEP(3) C4J_STEP(4) C4J_STEP(5)
#undef C4J_STEP
      }
    }
  }
  // channel-major results go to NCHW rows through a small buffer: a few stores per thousand FMAs
  alignas(32) float buf[NP][8 * NV];
#define C4J_SAVE(j)                                           \
  if constexpr (NP > j) {                                     \
    _mm256_store_ps(buf[j], a0##j);                           \
    if constexpr (NV > 1) _mm256_store_ps(buf[j] + 8, a1##j); \
  }
  C4J_SAVE(0) C4J_SAVE(1) C4J_SAVE(2) C4J_SAVE(3) C4J_SAVE(4) C4J_SAVE(5)
#undef C4J_SAVE
  const int64_t oplane = s.out_plane(), nout = std::min<int64_t>(t.nout, 8 * NV);
  for (int64_t c = 0; c < nout; ++c) {
    float* o = t.out + c * oplane;
    for (int j = 0; j < NP; ++j) o[j] = accumulate ? o[j] + buf[j][c] : buf[j][c];
  }
}

using TileFn = void (*)(const ConvShape&, const Tile&, bool);

template <int NV, int S, int... NP>
constexpr std::array<TileFn, sizeof...(NP)> tiles(std::integer_sequence<int, NP...>) {
  return {&tile<NV, NP + 1, S>...};
}

// tile functions by [NV - 1][stride kind: 1, 2, other][NP - 1]
template <int NV>
const std::array<std::array<TileFn, kTile>, 3> kTiles = {
    tiles<NV, 1>(std::make_integer_sequence<int, kTile>()), tiles<NV, 2>(std::make_integer_sequence<int, kTile>()),
    tiles<NV, 0>(std::make_integer_sequence<int, kTile>())};

// Output rows [oh0, oh1) of one 8*NV-channel block of one group of one image.
void rows(const Conv2dPlan& p, const ConvRun& r, int64_t n, int64_t g, int64_t blk, int64_t oh0, int64_t oh1) {
  const ConvShape& s = p.s;
  const int64_t ocg = s.ocg(), oc0 = blk * kBlock, nout = std::min(kBlock, ocg - oc0);
  const int nv = nout > 8 ? 2 : 1;
  const int sk = s.sw == 1 ? 0 : s.sw == 2 ? 1 : 2;
  const auto& fns = nv == 2 ? kTiles<2>[sk] : kTiles<1>[sk];
  const int64_t K = s.icg() * s.taps(), oplane = s.out_plane();
  const float* x = r.x + (n * s.ic + g * s.icg()) * s.in_plane();
  const int64_t oc = g * ocg + oc0;  // first channel of the block in the image
  float* y = r.y + (n * s.oc + oc) * oplane;
  const float* res = r.residual == nullptr ? nullptr : r.residual + (n * s.oc + oc) * oplane;
  Tile t{x, 0, 0, 0, 0, s.kw, p.weight.data() + (g * ((ocg + 7) / 8 * 8) + oc0) * K, nullptr, nout};
  // pixels whose whole kw range lies inside the row: [owa, owb)
  const int64_t owa = std::min(s.ow, ceil_div(s.pl, s.sw));
  const int64_t owb = std::max(owa, std::min(s.ow, floor_div(s.w - 1 + s.pl - (s.kw - 1) * s.dw, s.sw) + 1));
  for (int64_t oh = oh0; oh < oh1; ++oh) {
    const int64_t ih = oh * s.sh - s.pt;
    t.kh0 = std::max<int64_t>(0, ceil_div(-ih, s.dh));
    t.kh1 = std::min(s.kh, floor_div(s.h - 1 - ih, s.dh) + 1);
    float* yrow = y + oh * s.ow;
    for (int64_t ow = 0; ow < s.ow;) {
      const int64_t iw = ow * s.sw - s.pl;
      t.base = ih * s.w + iw;
      t.out = yrow + ow;
      if (ow >= owa && ow < owb) {
        const int64_t np = std::min<int64_t>(kTile, owb - ow);
        t.kw0 = 0, t.kw1 = s.kw;
        fns[np - 1](s, t, r.accumulate);
        ow += np;
      } else {
        t.kw0 = std::max<int64_t>(0, ceil_div(-iw, s.dw));
        t.kw1 = std::min(s.kw, floor_div(s.w - 1 - iw, s.dw) + 1);
        fns[0](s, t, r.accumulate);  // an empty tap range writes the zero (or accumulated) result
        ++ow;
      }
    }
    conv2d_epilogue_rows(p, yrow, res == nullptr ? nullptr : res + oh * s.ow, oc, nout, s.ow, oplane);
  }
}

}  // namespace

void conv2d_direct_pack(Conv2dPlan& p, const float* w) {
  const ConvShape& s = p.s;
  const int64_t icg = s.icg(), ocg = s.ocg(), taps = s.taps(), K = icg * taps, ocg8 = (ocg + 7) / 8 * 8;
  p.weight.assign(static_cast<size_t>(s.groups * ocg8 * K), 0.f);
  for (int64_t g = 0; g < s.groups; ++g) {
    for (int64_t oc0 = 0; oc0 < ocg; oc0 += kBlock) {
      const int64_t nout = std::min(kBlock, ocg - oc0), lanes = nout > 8 ? 16 : 8;
      float* dst = p.weight.data() + (g * ocg8 + oc0) * K;
      for (int64_t c = 0; c < nout; ++c)
        for (int64_t ic = 0; ic < icg; ++ic)
          for (int64_t tap = 0; tap < taps; ++tap)
            dst[(tap * icg + ic) * lanes + c] = w[((g * ocg + oc0 + c) * icg + ic) * taps + tap];
    }
  }
}

int32_t conv2d_direct_run(const Conv2dPlan& p, const ConvRun& r) {
  const ConvShape& s = p.s;
  const int64_t blocks = (s.ocg() + kBlock - 1) / kBlock, units = r.batch * s.groups * blocks;
  // split rows into bands only as far as needed to feed every thread a few work items
  const int64_t bands = std::min(s.oh, std::max<int64_t>(1, (3 * num_threads() + units - 1) / units));
  parallel_for(units * bands, [&](int64_t lo, int64_t hi) {
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t band = u % bands, rest = u / bands, blk = rest % blocks, ng = rest / blocks;
      rows(p, r, ng / s.groups, ng % s.groups, blk, s.oh * band / bands, s.oh * (band + 1) / bands);
    }
  });
  return C4J_OK;
}

}  // namespace c4j
