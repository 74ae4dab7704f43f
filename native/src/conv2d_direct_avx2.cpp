// conv2d DIRECT: register-blocked AVX2/FMA direct convolution for any stride, dilation, groups (zero padding).
//
// Vectorised over output channels: a tile keeps 8*NV output channels x NP output pixels of one output row in
// NV*NP ymm accumulators (16 x 6 = 12 registers). Each step (kh, kw, ic) loads NV weight vectors and broadcasts
// NP input values, so the stride and dilation only change broadcast addresses. Weights are packed per
// (group, 16-channel block) as [kh][kw][ic][16]: a step reads 64 contiguous bytes.
// Work goes row by row: each tile of a row runs every channel block of the unit while its input is in L1.
// Zero padding is never materialised for the input: a row skips the kh taps above and below the input, and a
// tile whose pixels reach past the left or right edge reads a small zero-extended copy of just its own input
// columns (its "patch", icg x kh x a few floats) instead.
// Small stride-1 maps (7x7) take another order, channel block outside the tiles: see small_map_run.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <utility>

#include "conv2d.h"
#include "thread_pool.h"

namespace c4j {
namespace {

constexpr int64_t kBlock = 16;  // output channels per packed weight block
constexpr int kTile = 6;        // output pixels per full tile


// Where a tile reads: tap (kh, kw, ic) of pixel j is x[base + kh * row_step + kw * dw + ic * plane + j * sw].
struct Tile {
  const float* x;
  int64_t base;      // may be negative: only taps in [kh0, kh1) are read, and those land inside x
  int64_t row_step;  // dh * w on the input, the patch row length on a patch
  int64_t plane;     // channel stride
  int64_t kh0, kh1;  // the kh taps inside the input for this row
  const float* w;    // the block's packed weights
  float* out;        // y at (block's first channel, this row, pixel 0)
  int64_t nout;      // real channels in the block (<= 8 * NV)
};

// In-register 8x8 transpose: r[i][j] <- r[j][i].
inline void transpose8(__m256* r) {
  const __m256 t0 = _mm256_unpacklo_ps(r[0], r[1]), t1 = _mm256_unpackhi_ps(r[0], r[1]);
  const __m256 t2 = _mm256_unpacklo_ps(r[2], r[3]), t3 = _mm256_unpackhi_ps(r[2], r[3]);
  const __m256 t4 = _mm256_unpacklo_ps(r[4], r[5]), t5 = _mm256_unpackhi_ps(r[4], r[5]);
  const __m256 t6 = _mm256_unpacklo_ps(r[6], r[7]), t7 = _mm256_unpackhi_ps(r[6], r[7]);
  const __m256 u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u4 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u5 = _mm256_shuffle_ps(t4, t6, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 u6 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 u7 = _mm256_shuffle_ps(t5, t7, _MM_SHUFFLE(3, 2, 3, 2));
  r[0] = _mm256_permute2f128_ps(u0, u4, 0x20), r[1] = _mm256_permute2f128_ps(u1, u5, 0x20);
  r[2] = _mm256_permute2f128_ps(u2, u6, 0x20), r[3] = _mm256_permute2f128_ps(u3, u7, 0x20);
  r[4] = _mm256_permute2f128_ps(u0, u4, 0x31), r[5] = _mm256_permute2f128_ps(u1, u5, 0x31);
  r[6] = _mm256_permute2f128_ps(u2, u6, 0x31), r[7] = _mm256_permute2f128_ps(u3, u7, 0x31);
}

// One tile: NV weight vectors x NP pixels; S is the input stride along the row (0: runtime s.sw).
// The accumulators are named variables, not an array: GCC -O3 keeps a __m256 array in memory and would store all
// twelve to the stack on every step.
template <int NV, int NP, int S>
void tile(const ConvShape& s, const Tile& t, bool accumulate) {
  static_assert(NV >= 1 && NV <= 2 && NP >= 1 && NP <= kTile, "tile size");
  __m256 a00 = _mm256_setzero_ps(), a01 = a00, a02 = a00, a03 = a00, a04 = a00, a05 = a00;
  __m256 a10 = a00, a11 = a00, a12 = a00, a13 = a00, a14 = a00, a15 = a00;
  const int64_t sw = S != 0 ? S : s.sw;
  const int64_t icg = s.icg(), plane = t.plane, lanes = 8 * NV;
  for (int64_t kh = t.kh0; kh < t.kh1; ++kh) {
    for (int64_t kw = 0; kw < s.kw; ++kw) {
      const float* xp = t.x + (t.base + kh * t.row_step + kw * s.dw);
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
  // accumulators hold 8 channels of one pixel; NCHW wants each channel's pixels together: transpose 8x8
  const __m256 z = _mm256_setzero_ps();
  const int64_t oplane = s.out_plane(), nout = std::min<int64_t>(t.nout, 8 * NV);
  const __m256i live = _mm256_cmpgt_epi32(_mm256_set1_epi32(NP), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  for (int v = 0; v < NV; ++v) {
    __m256 rows[8] = {v ? a10 : a00, v ? a11 : a01, v ? a12 : a02, v ? a13 : a03, v ? a14 : a04, v ? a15 : a05, z, z};
    transpose8(rows);
    for (int64_t c = 0; c < std::min<int64_t>(8, nout - 8 * v); ++c) {
      float* o = t.out + (8 * v + c) * oplane;
      __m256 val = rows[c];
      if (accumulate) val = _mm256_add_ps(val, _mm256_maskload_ps(o, live));
      if constexpr (NP == 8) {
        _mm256_storeu_ps(o, val);
      } else {
        _mm256_maskstore_ps(o, live, val);
      }
    }
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

// Zero-extended copy of input columns [iw0, iw0 + span) of rows kh0..kh1-1 of every channel of the group, laid out
// [ic][kh - kh0][span], for a tile that reaches past the row's ends.
void build_patch(const ConvShape& s, const float* x, int64_t ih, int64_t kh0, int64_t kh1, int64_t iw0,
                 int64_t span, float* patch) {
  const int64_t a = std::clamp<int64_t>(-iw0, 0, span), b = std::clamp<int64_t>(s.w - iw0, a, span);
  for (int64_t ic = 0; ic < s.icg(); ++ic) {
    for (int64_t kh = kh0; kh < kh1; ++kh) {
      float* dst = patch + (ic * (kh1 - kh0) + (kh - kh0)) * span;
      const float* src = x + ic * s.in_plane() + (ih + kh * s.dh) * s.w + iw0;
      std::memset(dst, 0, sizeof(float) * a);
      std::memcpy(dst + a, src + a, sizeof(float) * (b - a));
      std::memset(dst + b, 0, sizeof(float) * (span - b));
    }
  }
}

// Output rows [oh0, oh1) of channel blocks [blk0, blk1) of one group of one image; false when out of memory.
bool rows(const Conv2dPlan& p, const ConvRun& r, int64_t n, int64_t g, int64_t blk0, int64_t blk1, int64_t oh0,
          int64_t oh1) {
  const ConvShape& s = p.s;
  const int64_t ocg = s.ocg(), K = s.icg() * s.taps(), oplane = s.out_plane(), ocg8 = (ocg + 7) / 8 * 8;
  const int sk = s.sw == 1 ? 0 : s.sw == 2 ? 1 : 2;
  const float* x = r.x + (n * s.ic + g * s.icg()) * s.in_plane();
  const int64_t oc_lo = g * ocg + blk0 * kBlock, oc_hi = g * ocg + std::min(ocg, blk1 * kBlock);
  float* y = r.y + n * s.oc * oplane;
  const float* res = r.residual == nullptr ? nullptr : r.residual + n * s.oc * oplane;
  // pixels whose whole kw range lies inside the row: [owa, owb)
  const int64_t owa = std::min(s.ow, ceil_div(s.pl, s.sw));
  const int64_t owb = std::max(owa, std::min(s.ow, floor_div(s.w - 1 + s.pl - (s.kw - 1) * s.dw, s.sw) + 1));
  const int64_t tiles = (s.ow + kTile - 1) / kTile;  // equal tiles: 7 pixels -> 4 + 3, not 6 + 1
  const int64_t max_span = (kTile - 1) * s.sw + (s.kw - 1) * s.dw + 1;
  for (int64_t oh = oh0; oh < oh1; ++oh) {
    const int64_t ih = oh * s.sh - s.pt;
    const int64_t kh0 = std::max<int64_t>(0, ceil_div(-ih, s.dh));
    const int64_t kh1 = std::max(kh0, std::min(s.kh, floor_div(s.h - 1 - ih, s.dh) + 1));
    for (int64_t ti = 0; ti < tiles; ++ti) {
      const int64_t ow0 = s.ow * ti / tiles, np = s.ow * (ti + 1) / tiles - ow0;
      const int64_t iw0 = ow0 * s.sw - s.pl;
      Tile t{x, ih * s.w + iw0, s.dh * s.w, s.in_plane(), kh0, kh1, nullptr, nullptr, 0};
      if ((ow0 < owa || ow0 + np > owb) && kh1 > kh0) {
        const int64_t span = (np - 1) * s.sw + (s.kw - 1) * s.dw + 1;
        float* patch = scratch(2, static_cast<size_t>(s.icg() * (kh1 - kh0) * max_span));
        if (patch == nullptr) return false;
        build_patch(s, x, ih, kh0, kh1, iw0, span, patch);
        t = Tile{patch, -kh0 * span, span, (kh1 - kh0) * span, kh0, kh1, nullptr, nullptr, 0};
      }
      for (int64_t blk = blk0; blk < blk1; ++blk) {
        const int64_t oc0 = blk * kBlock;
        t.nout = std::min(kBlock, ocg - oc0);
        t.w = p.weight.data() + (g * ocg8 + oc0) * K;
        t.out = y + (g * ocg + oc0) * oplane + oh * s.ow + ow0;
        (t.nout > 8 ? kTiles<2> : kTiles<1>)[sk][np - 1](s, t, r.accumulate);
      }
    }
    const int64_t row = oc_lo * oplane + oh * s.ow;
    conv2d_epilogue_rows(p, y + row, res == nullptr ? nullptr : res + row, oc_lo, oc_hi - oc_lo, s.ow, oplane);
  }
  return true;
}

// Small maps at stride 1 (at most kSmallMap output pixels, e.g. 7x7): row tiles would be short (7 -> 4 + 3 pixels)
// and every row would stream the whole weight tensor again (9.4 MB for 512->512 3x3). Instead the group's input
// is zero-padded once into xp ([icg][hp][wp]), the output is computed on "virtual" rows of wp pixels (pixel q
// reads xp at q + tap offset, so a tile of 6 runs across row ends; the wp - ow columns past each row are
// discarded), and each channel block runs all its tiles while its weights are in L2: weights are read once.
constexpr int64_t kSmallMap = 64;

bool small_map(const ConvShape& s) { return s.sh == 1 && s.sw == 1 && s.out_plane() <= kSmallMap; }

// Channel blocks [blk0, blk1) of image n, group g, from the padded input xp.
bool small_map_blocks(const Conv2dPlan& p, const ConvRun& r, int64_t n, int64_t g, const float* xp, int64_t hp,
                      int64_t wp, int64_t blk0, int64_t blk1) {
  const ConvShape& s = p.s;
  const int64_t ocg = s.ocg(), K = s.icg() * s.taps(), plane = s.out_plane(), ocg8 = (ocg + 7) / 8 * 8;
  const int64_t vplane = s.oh * wp, nv = (s.oh - 1) * wp + s.ow, tiles = (nv + kTile - 1) / kTile;
  float* out = scratch(3, static_cast<size_t>(kBlock * vplane));
  if (out == nullptr) return false;
  ConvShape v = s;  // the virtual output: one row of oh * wp pixels per channel
  v.oh = 1;
  v.ow = vplane;
  float* y = r.y + (n * s.oc + g * ocg) * plane;
  const float* res = r.residual == nullptr ? nullptr : r.residual + (n * s.oc + g * ocg) * plane;
  for (int64_t blk = blk0; blk < blk1; ++blk) {
    const int64_t oc0 = blk * kBlock, nout = std::min(kBlock, ocg - oc0);
    Tile t{xp, 0, s.dh * wp, hp * wp, 0, s.kh, p.weight.data() + (g * ocg8 + oc0) * K, nullptr, nout};
    for (int64_t ti = 0; ti < tiles; ++ti) {
      const int64_t q0 = nv * ti / tiles, np = nv * (ti + 1) / tiles - q0;
      t.base = q0;
      t.out = out + q0;
      (nout > 8 ? kTiles<2> : kTiles<1>)[0][np - 1](v, t, false);
    }
    for (int64_t c = 0; c < nout; ++c) {
      for (int64_t oh = 0; oh < s.oh; ++oh) {
        float* dst = y + (oc0 + c) * plane + oh * s.ow;
        const float* src = out + c * vplane + oh * wp;
        if (r.accumulate) {
          for (int64_t i = 0; i < s.ow; ++i) dst[i] += src[i];
        } else {
          std::memcpy(dst, src, sizeof(float) * s.ow);
        }
      }
    }
    conv2d_epilogue_rows(p, y + oc0 * plane, res == nullptr ? nullptr : res + oc0 * plane, g * ocg + oc0, nout,
                         plane, plane);
  }
  return true;
}

int32_t small_map_run(const Conv2dPlan& p, const ConvRun& r) {
  const ConvShape& s = p.s;
  const int64_t icg = s.icg(), hp = s.oh + (s.kh - 1) * s.dh, wp = s.ow + (s.kw - 1) * s.dw;
  const int64_t blocks = (s.ocg() + kBlock - 1) / kBlock;
  float* xp = scratch(1, static_cast<size_t>(icg * hp * wp));
  if (xp == nullptr) return fail(C4J_ERR_NOMEM, "out of memory for the padded conv2d input");
  std::atomic<bool> oom{false};
  for (int64_t n = 0; n < r.batch; ++n) {
    for (int64_t g = 0; g < s.groups; ++g) {
      const float* x = r.x + (n * s.ic + g * icg) * s.in_plane();
      // xp[ic][i][j] = x[ic][i - pt][j - pl], zero outside; only rows/columns an output reads exist
      for (int64_t ic = 0; ic < icg; ++ic) {
        for (int64_t i = 0; i < hp; ++i) {
          float* dst = xp + (ic * hp + i) * wp;
          const int64_t ih = i - s.pt;
          if (ih < 0 || ih >= s.h) {
            std::memset(dst, 0, sizeof(float) * wp);
            continue;
          }
          const float* src = x + ic * s.in_plane() + ih * s.w;
          for (int64_t j = 0; j < wp; ++j) {
            const int64_t iw = j - s.pl;
            dst[j] = iw >= 0 && iw < s.w ? src[iw] : 0.f;
          }
        }
      }
      parallel_for(blocks, [&](int64_t lo, int64_t hi) {
        if (!small_map_blocks(p, r, n, g, xp, hp, wp, lo, hi)) oom = true;
      });
    }
  }
  return oom ? fail(C4J_ERR_NOMEM, "out of memory for a conv2d output block") : C4J_OK;
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
  if (small_map(s)) return small_map_run(p, r);
  // work items: (image, group, row band, channel-block range); rows are split before blocks (a tile's input is
  // shared by all blocks), and only as far as needed to give every thread a few items
  const int64_t want = 3 * num_threads(), images = r.batch * s.groups;
  const int64_t blocks = (s.ocg() + kBlock - 1) / kBlock;
  const int64_t bands = std::min(s.oh, std::max<int64_t>(1, (want + images - 1) / images));
  const int64_t splits = std::min(blocks, std::max<int64_t>(1, (want + images * bands - 1) / (images * bands)));
  std::atomic<bool> oom{false};
  parallel_for(images * bands * splits, [&](int64_t lo, int64_t hi) {
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t split = u % splits, band = u / splits % bands, ng = u / splits / bands;
      if (!rows(p, r, ng / s.groups, ng % s.groups, blocks * split / splits, blocks * (split + 1) / splits,
                s.oh * band / bands, s.oh * (band + 1) / bands))
        oom = true;
    }
  });
  return oom ? fail(C4J_ERR_NOMEM, "out of memory for a conv2d border patch") : C4J_OK;
}

}  // namespace c4j
