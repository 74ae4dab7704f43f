// conv2d IM2COL_GEMM and GEMM_1X1: y[oc][p] = sum_k W[oc][k] * B[k][p] per (image, group), by an own AVX2/FMA GEMM
// whose weights are packed once at create. B is the input itself for a 1x1 stride-1 unpadded convolution (its
// planes are already [ic][pixel] rows), and an im2col panel [icg*kh*kw][pixels] built per block otherwise.
//
// Micro-tiles: 4 output channels x 24 pixels (wide) or 12 x 8 (narrow, for the 1-2 vectors a map leaves over),
// 12 ymm accumulators each; a step k broadcasts packed weights and loads vectors of B's row k, so pixels (the
// contiguous NCHW dimension) are the vector lanes and results go straight to y rows without a transpose, bias +
// residual + activation applied in registers. Pixels are a flat range of the output plane (a 7x7 map is 49
// pixels: two wide tiles and a narrow one, not seven 7-wide rows).
// Blocking: the reduction runs in blocks of <= kKc (partial sums go through y), pixels in chunks whose B block fits
// L2; each block of B is packed tile by tile ([k][24] / [k][8], contiguous: rows of x are a plane apart and
// thrash L1 sets when read in place), and each group of three weight panels sweeps the chunk's tiles.
// OpenBLAS is not used here: it repacks the weight matrix on every call and is slow on 49-196 columns.
#include <immintrin.h>

#include <algorithm>
#include <atomic>

#include "conv2d.h"
#include "epilogue_avx2.h"
#include "shuffle_avx2.h"
#include "thread_pool.h"

namespace c4j {
namespace {

constexpr int64_t kMr = 4;                   // output channels per packed weight panel
constexpr int64_t kNr = 24;                  // pixels per wide micro-tile (3 vectors)
constexpr int64_t kKc = 256;                 // reduction block (128 and 512 measured slower)
constexpr int64_t kBlockFloats = 32 * 1024;  // B block per pixel chunk: 128 KB, well inside L2
constexpr int64_t kPackMinChannels = 48;     // B is packed for groups of more output channels
// A 1x1 input of a small map (<= kSmallMap pixels: rows 49-256 floats apart, not a page, so they do not thrash L1 sets)
// is read in place unless more channels than this reuse a packed copy: the pack is a pass over B (on a single image,
// one per thread taking part: gemm_small). Measured with a pack shared by both threads, hot, us, packed vs in place, 1
// / 2 threads: 384->64 at 14x14 113 / 76 vs 109 / 58, 576->96 251 / 147 vs 247 / 133; 960->160 at 7x7 210 vs 225
// (packed wins from here); MobileNetV2 batch 1 in the model, native/ORT over four alternated runs: 1.045 -> 1.03 (1
// thread), 1.095 -> 1.085.
constexpr int64_t kPackMinChannelsSmallMap = 128;
constexpr int64_t kSmallMap = 256;           // maps of at most this many pixels: a packed B packed once (gemm_small)
constexpr int64_t kMinChunk = 48;            // pixels: chunks cut for threads keep at least two wide tiles
// An input read in place larger than this (floats: 1 MB, the L2) comes from L3 or memory rather than L2: the wide
// tiles then prefetch B's rows two tiles ahead (both lines of 24 pixels). MobileNetV2's convolutions chained in C++,
// one thread, per layer: 32->16 at 112x112 190 -> 151 us, 96->24 at 56x56 168 -> 151, 144->24 302 -> 248 (total
// 7.64 -> 7.49 ms); batch 8 (4 MB and more, the threshold before): 32->16 at 112x112 3.8 -> 3.4 ms. Smaller inputs
// are in L2, where the prefetches only cost: 192->32 at 28x28 and 384->64 at 14x14 5-12% slower with them.
// The prefetches fill L2, not L1 (the tile's own rows would be evicted): the chain, alternated in one process, one
// thread, T0 -> T1: 32->16 at 112x112 146-151 -> 141 us, 96->24 at 56x56 146 -> 139, 144->24 256-264 -> 233 (total
// 7.02-7.16 -> 6.95-7.08 ms; two threads 3.79 -> 3.76); alone, batch 8, 32->16 1.55 -> 1.27 ms.
constexpr int64_t kStreamFloats = 256 * 1024;
// The weights of a layer are read once per run (per pixel chunk, the first chunk from memory): ResNet-50's 100 MB do
// not stay in the L3 from run to run. A panel group's first tile prefetches them this far ahead (floats: 4 KB) into
// L2. ResNet-50's convolutions chained in C++, alternated in one process, one thread: the 1x1 layers on 14x14 maps
// 0.96-0.97 of the time (1024->256 0.99-1.00 -> 0.95-0.98 ms), on 28x28 0.98-0.99, on 56x56 0.99; all convolutions
// 63.1 -> 62.2 ms. 2 and 8 KB ahead the same, 16 KB slower on 56x56; earlier, the next group's 12 KB prefetched at
// once: nothing.
constexpr int64_t kWeightAhead = 1024;

// Weight panels of one group: ceil(ocg / 4), each [k][4], rows past ocg zero.
int64_t panels(const ConvShape& s) { return (s.ocg() + kMr - 1) / kMr; }

// The reduction block for a reduction of k: equal blocks of at most kKc (300 -> 150 + 150), the last one shorter.
int64_t reduction_block(int64_t k) {
  const int64_t nkb = (k + kKc - 1) / kKc;
  return (k + nkb - 1) / nkb;
}

// Packed weights in the order the GEMM reads them: per group, reduction block by block, and inside a block [k0,
// k0 + kb) the panels one after another, each [kb][4]. A run then streams them front to back: with each panel's
// whole reduction contiguous instead, a block read a 4 KB piece of every panel, a new page each, where the hardware
// prefetcher starts over (1024->256 at 14x14 with its weights coming from memory: 1065 -> 1025 us). This is the
// offset of panel q's block [k0, k0 + kb) of group g.
int64_t panel_block(const ConvShape& s, int64_t g, int64_t q, int64_t k0, int64_t kb) {
  return (g * panels(s) * s.icg() * s.taps() + k0 * panels(s) + q * kb) * kMr;
}

// How a chunk of np pixels is cut into micro-tiles: its ceil(np / 8) vectors go 3 at a time to wide tiles
// (4 channels x 24 pixels) and the 0-2 left over to narrow tiles (up to 12 channels x 8 pixels), so every tile
// keeps 12 accumulators busy and at most 7 lanes of a chunk are wasted (a 7x7 map: 2 wide + 1 narrow tile).
struct Tiles {
  int64_t np, wide, narrow;
  explicit Tiles(int64_t n) : np(n), wide((n + 7) / 8 / 3), narrow((n + 7) / 8 % 3) {}
  int64_t start(int64_t t) const { return t < wide ? t * kNr : wide * kNr + (t - wide) * 8; }
  int64_t width(int64_t t) const { return t < wide ? kNr : 8; }
  int64_t count() const { return wide + narrow; }
};

// Where a micro-tile writes and what its epilogue adds.
struct TileOut {
  float* c;            // y at (first channel, first pixel)
  int64_t ldc;         // channel stride of y and residual
  const float* res;    // residual at the same place, or null
  const float* bias;   // bias of the first channel, or null
  int64_t rows;        // real channels (1..12)
  int64_t n;           // real pixels (1..width); only the last vector may be partial
  bool load_c;         // add what y holds (partial sums of earlier blocks, or the in-place residual)
  bool finish;         // last reduction block: add bias + residual, apply the activation
};

// Writes one accumulator vector (row r, vector v of NV) with the epilogue: for edge tiles (lanes masked as needed)
// and tiles adding a separate residual.
template <int NV, int ACT>
inline void put(const TileOut& o, int64_t r, int v, __m256 val, __m256i mask, const avx2::ActVec& av) {
  float* c = o.c + r * o.ldc + 8 * v;
  const bool masked = v == NV - 1 && o.n < 8 * NV;
  if (o.load_c) val = _mm256_add_ps(val, masked ? _mm256_maskload_ps(c, mask) : _mm256_loadu_ps(c));
  if (o.finish) {
    if (o.bias != nullptr) val = _mm256_add_ps(val, _mm256_set1_ps(o.bias[r]));
    if (o.res != nullptr) {
      const float* res = o.res + r * o.ldc + 8 * v;
      val = _mm256_add_ps(val, masked ? _mm256_maskload_ps(res, mask) : _mm256_loadu_ps(res));
    }
    val = avx2::act_ps<ACT>(val, av);
  }
  if (masked) {
    _mm256_maskstore_ps(c, mask, val);
  } else {
    _mm256_storeu_ps(c, val);
  }
}

// The epilogue of a tile's row r when all its NV vectors are whole and no separate residual is added (o.res null; the
// usual tile): the accumulators stay in registers and each condition is tested once per row. Spilled to an array and
// put() vector by vector instead, the epilogue had cost as much as a short reduction (one thread, hot: 64->256 at 56x56
// 1028 -> 942 us, 16->96 at 112x112 538 -> 408, 24->144 at 56x56 263 -> 211, MobileNetV2's 3x3 stem 336 -> 288,
// 1024->256 at 14x14 -2%). ResNet-50's convolutions chained in C++ (one thread, alternated in one process): 65.7 ->
// 64.8 ms with residuals added in place, as prepared models do (y holds the residual: load_c; 64->256 at 56x56 +
// residual 1.10 -> 0.98 ms). Tiles that add a separate residual keep put(): that way they ran 1-10% slower (cause not
// found).
template <int NV, int ACT>
__attribute__((always_inline)) inline void put_row(const TileOut& o, int64_t r, __m256& a0, __m256& a1,
                                                   __m256& a2, const avx2::ActVec& av) {
  static_assert(NV >= 1 && NV <= 3, "1-3 vectors");
  float* c = o.c + r * o.ldc;
  if (o.load_c) {
    a0 = _mm256_add_ps(a0, _mm256_loadu_ps(c));
    if constexpr (NV > 1) a1 = _mm256_add_ps(a1, _mm256_loadu_ps(c + 8));
    if constexpr (NV > 2) a2 = _mm256_add_ps(a2, _mm256_loadu_ps(c + 16));
  }
  if (o.finish) {
    if (o.bias != nullptr) {
      const __m256 b = _mm256_broadcast_ss(o.bias + r);
      a0 = _mm256_add_ps(a0, b);
      if constexpr (NV > 1) a1 = _mm256_add_ps(a1, b);
      if constexpr (NV > 2) a2 = _mm256_add_ps(a2, b);
    }
    a0 = avx2::act_ps<ACT>(a0, av);
    if constexpr (NV > 1) a1 = avx2::act_ps<ACT>(a1, av);
    if constexpr (NV > 2) a2 = avx2::act_ps<ACT>(a2, av);
  }
  _mm256_storeu_ps(c, a0);
  if constexpr (NV > 1) _mm256_storeu_ps(c + 8, a1);
  if constexpr (NV > 2) _mm256_storeu_ps(c + 16, a2);
}

// The epilogue of a 4-channel tile of NV vectors (accumulators c<row><vector>; those past NV unused): in registers
// when the tile is whole and adds no separate residual (put_row), else vector by vector with the last one masked.
template <int NV, int ACT>
__attribute__((always_inline)) inline void put_tile4(const TileOut& o, __m256& c00, __m256& c01, __m256& c02,
                                                     __m256& c10, __m256& c11, __m256& c12, __m256& c20,
                                                     __m256& c21, __m256& c22, __m256& c30, __m256& c31,
                                                     __m256& c32, const avx2::ActVec& av) {
  if (o.rows == kMr && o.n == 8 * NV && o.res == nullptr) {
    put_row<NV, ACT>(o, 0, c00, c01, c02, av);
    put_row<NV, ACT>(o, 1, c10, c11, c12, av);
    put_row<NV, ACT>(o, 2, c20, c21, c22, av);
    put_row<NV, ACT>(o, 3, c30, c31, c32, av);
    return;
  }
  // edge tiles: fewer channels, or pixels past the chunk / row
  const __m256i mask = avx2::tail_mask(o.n - 8 * (NV - 1));
  const __m256 acc[kMr][3] = {{c00, c01, c02}, {c10, c11, c12}, {c20, c21, c22}, {c30, c31, c32}};
  for (int64_t r = 0; r < o.rows; ++r)
    for (int v = 0; v < NV; ++v) put<NV, ACT>(o, r, v, acc[r][v], mask, av);
}

// Wide tile: 4 channels x 24 pixels, 12 accumulators; a step k broadcasts 4 packed weights and loads 3 vectors of
// B's row k (rows ldb floats apart: 24 when packed; MASK: the last vector partial, only when B is read in place).
// Named accumulators: GCC keeps a __m256 array in memory and would spill it every step.
// PF: B's rows are streamed from memory; each step prefetches its row two tiles ahead into L2 (both lines of 24
// pixels).
// PW: the weights come from memory (a panel group's first tile): each step prefetches them kWeightAhead floats ahead
// into L2, on into the group's next panels and the next group's.
template <bool MASK, int ACT, bool PF = false, bool PW = false>
void micro_wide(int64_t k, const float* a, const float* b, int64_t ldb, const TileOut& o, const avx2::ActVec& av) {
  const __m256i lmask = avx2::tail_mask(MASK ? o.n - 16 : 8);  // live across the loop only when MASK
  __m256 c00 = _mm256_setzero_ps(), c10 = c00, c20 = c00, c30 = c00;
  __m256 c01 = c00, c11 = c00, c21 = c00, c31 = c00;
  __m256 c02 = c00, c12 = c00, c22 = c00, c32 = c00;
  for (int64_t i = 0; i < k; ++i, a += kMr, b += ldb) {
    if constexpr (PW) _mm_prefetch(reinterpret_cast<const char*>(a + kWeightAhead), _MM_HINT_T1);
    if constexpr (PF) {
      _mm_prefetch(reinterpret_cast<const char*>(b + 2 * kNr), _MM_HINT_T1);
      _mm_prefetch(reinterpret_cast<const char*>(b + 2 * kNr + 16), _MM_HINT_T1);
    }
    const __m256 b0 = _mm256_loadu_ps(b), b1 = _mm256_loadu_ps(b + 8);
    const __m256 b2 = MASK ? _mm256_maskload_ps(b + 16, lmask) : _mm256_loadu_ps(b + 16);
#define C4J_ROW(r)                                \
  {                                               \
    const __m256 w = _mm256_broadcast_ss(a + r);  \
    c##r##0 = _mm256_fmadd_ps(w, b0, c##r##0);    \
    c##r##1 = _mm256_fmadd_ps(w, b1, c##r##1);    \
    c##r##2 = _mm256_fmadd_ps(w, b2, c##r##2);    \
  }
    C4J_ROW(0) C4J_ROW(1) C4J_ROW(2) C4J_ROW(3)
#undef C4J_ROW
  }
  put_tile4<3, ACT>(o, c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32, av);
}

// Narrow tile: 4 * P channels (P consecutive weight panels, lda floats apart) x 8 pixels, 4 * P accumulators; a
// step loads one vector of B's row k (8 when packed) and broadcasts 4 * P weights.
template <int P, bool MASK, int ACT>
void micro_narrow(int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, const TileOut& o,
                  const avx2::ActVec& av) {
  static_assert(P >= 1 && P <= 3, "narrow tile: 1-3 panels");
  const __m256i lmask = avx2::tail_mask(MASK ? o.n : 8);
  __m256 c0 = _mm256_setzero_ps(), c1 = c0, c2 = c0, c3 = c0, c4 = c0, c5 = c0;
  __m256 c6 = c0, c7 = c0, c8 = c0, c9 = c0, c10 = c0, c11 = c0;
  const float* a1 = a + lda;
  const float* a2 = a + 2 * lda;
  for (int64_t i = 0; i < k; ++i, a += kMr, a1 += kMr, a2 += kMr, b += ldb) {
    const __m256 bv = MASK ? _mm256_maskload_ps(b, lmask) : _mm256_loadu_ps(b);
    c0 = _mm256_fmadd_ps(_mm256_broadcast_ss(a), bv, c0);
    c1 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 1), bv, c1);
    c2 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 2), bv, c2);
    c3 = _mm256_fmadd_ps(_mm256_broadcast_ss(a + 3), bv, c3);
    if constexpr (P > 1) {
      c4 = _mm256_fmadd_ps(_mm256_broadcast_ss(a1), bv, c4);
      c5 = _mm256_fmadd_ps(_mm256_broadcast_ss(a1 + 1), bv, c5);
      c6 = _mm256_fmadd_ps(_mm256_broadcast_ss(a1 + 2), bv, c6);
      c7 = _mm256_fmadd_ps(_mm256_broadcast_ss(a1 + 3), bv, c7);
    }
    if constexpr (P > 2) {
      c8 = _mm256_fmadd_ps(_mm256_broadcast_ss(a2), bv, c8);
      c9 = _mm256_fmadd_ps(_mm256_broadcast_ss(a2 + 1), bv, c9);
      c10 = _mm256_fmadd_ps(_mm256_broadcast_ss(a2 + 2), bv, c10);
      c11 = _mm256_fmadd_ps(_mm256_broadcast_ss(a2 + 3), bv, c11);
    }
  }
  if (!MASK && o.rows == 4 * P && o.n == 8 && o.res == nullptr) {
    __m256 unused = c0;
    put_row<1, ACT>(o, 0, c0, unused, unused, av);
    put_row<1, ACT>(o, 1, c1, unused, unused, av);
    put_row<1, ACT>(o, 2, c2, unused, unused, av);
    put_row<1, ACT>(o, 3, c3, unused, unused, av);
    if constexpr (P > 1) {
      put_row<1, ACT>(o, 4, c4, unused, unused, av);
      put_row<1, ACT>(o, 5, c5, unused, unused, av);
      put_row<1, ACT>(o, 6, c6, unused, unused, av);
      put_row<1, ACT>(o, 7, c7, unused, unused, av);
    }
    if constexpr (P > 2) {
      put_row<1, ACT>(o, 8, c8, unused, unused, av);
      put_row<1, ACT>(o, 9, c9, unused, unused, av);
      put_row<1, ACT>(o, 10, c10, unused, unused, av);
      put_row<1, ACT>(o, 11, c11, unused, unused, av);
    }
    return;
  }
  const __m256i mask = avx2::tail_mask(o.n);
  const __m256 acc[12] = {c0, c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11};
  for (int64_t r = 0; r < o.rows; ++r) put<1, ACT>(o, r, 0, acc[r], mask, av);
}

template <int P, int ACT>
inline void narrow(bool mask, int64_t k, const float* a, int64_t lda, const float* b, int64_t ldb, const TileOut& o,
                   const avx2::ActVec& av) {
  if (mask) {
    micro_narrow<P, true, ACT>(k, a, lda, b, ldb, o, av);
  } else {
    micro_narrow<P, false, ACT>(k, a, lda, b, ldb, o, av);
  }
}

// Packs rows i0..i1-1 of a kc-row block of B (row i at src + (i - i0) * ld, np pixels) into the tiles' layout:
// tile t at kc * start(t) floats, [kc][width(t)], lanes past np zero. Rows are read in order (x planes stream),
// tiles written across.
void pack_b(const float* src, int64_t ld, int64_t kc, const Tiles& tl, float* dst, int64_t i0, int64_t i1) {
  const int64_t full = tl.np / 8 * 8;
  const __m256i mask = avx2::tail_mask(tl.np - full);
  for (int64_t i = i0; i < i1; ++i, src += ld) {
    for (int64_t t = 0; t < tl.count(); ++t) {
      const int64_t p0 = tl.start(t), w = tl.width(t);
      float* d = dst + kc * p0 + i * w;
      for (int64_t v = 0; v < w; v += 8) {
        const int64_t p = p0 + v;
        const __m256 val = p < full        ? _mm256_loadu_ps(src + p)
                           : p < tl.np     ? _mm256_maskload_ps(src + p, mask)
                                           : _mm256_setzero_ps();
        _mm256_storeu_ps(d + v, val);
      }
    }
  }
}

// The panel rows k0..k0+kc-1 ((ic, kh, kw) order) for output pixels [p0, p0 + np) of one group's input x, zero
// where a tap is padding; rows ld floats apart. Output rows of a small map are a few floats long, so the segments
// are copied by plain loops: a libc call per 7-float segment cost more than the GEMM on a 7x7 map.
void im2col(const ConvShape& s, const float* x, int64_t k0, int64_t kc, int64_t p0, int64_t np, int64_t ld,
            float* col) {
  for (int64_t k = k0; k < k0 + kc; ++k) {
    float* dst = col + (k - k0) * ld - p0;  // indexed by pixel
    const int64_t ic = k / s.taps(), kh = k % s.taps() / s.kw, kw = k % s.kw;
    const float* xc = x + ic * s.in_plane();
    const int64_t shift = kw * s.dw - s.pl;  // iw = ow * sw + shift
    // output columns whose tap lies inside the row
    const int64_t owa = std::max<int64_t>(0, ceil_div(-shift, s.sw));
    const int64_t owb = std::min(s.ow, floor_div(s.w - 1 - shift, s.sw) + 1);
    for (int64_t p = p0; p < p0 + np;) {
      const int64_t oh = p / s.ow, ow0 = p % s.ow, len = std::min(s.ow - ow0, p0 + np - p);
      const int64_t ih = oh * s.sh - s.pt + kh * s.dh;
      float* d = dst + p - ow0;  // indexed by output column
      if (ih < 0 || ih >= s.h) {
        for (int64_t ow = ow0; ow < ow0 + len; ++ow) d[ow] = 0.f;
      } else {
        const float* row = xc + ih * s.w + shift;  // indexed by ow * sw
        const int64_t a = std::clamp(owa, ow0, ow0 + len), b = std::clamp(owb, a, ow0 + len);
        for (int64_t ow = ow0; ow < a; ++ow) d[ow] = 0.f;
        int64_t ow = a;
        if (s.sw == 1) {
          for (; ow < b; ++ow) d[ow] = row[ow];
        } else if (s.sw == 2) {  // the stems and downsamples: deinterleave 16 input floats into 8 outputs
          for (; ow + 8 <= b && (ow + 8) * 2 + shift <= s.w; ow += 8) {
            _mm256_storeu_ps(d + ow, avx2::even(_mm256_loadu_ps(row + 2 * ow), _mm256_loadu_ps(row + 2 * ow + 8)));
          }
        }
        for (; ow < b; ++ow) d[ow] = row[ow * s.sw];
        for (ow = b; ow < ow0 + len; ++ow) d[ow] = 0.f;
      }
      p += len;
    }
  }
}

// Output pixels [p0, p0 + np) of weight panels [q0, q1) of group g of image n, reduction block [k0, k0 + kc).
// B: packed by pack_b (ldb 0), or read in place (row k0 first, rows ldb floats apart, pixel p0 first). Panels go
// three at a time (12 channels, whose weights stay in L1) over the tiles; a wide tile's B (kc x 24) is reused by
// the three panels in turn, a narrow tile takes all three at once.
template <int ACT>
void block(const Conv2dPlan& p, const ConvRun& r, int64_t n, int64_t g, int64_t q0, int64_t q1, int64_t k0,
           int64_t kc, int64_t p0, const Tiles& tl, const float* bp, int64_t ldb, const avx2::ActVec& av,
           bool stream = false) {
  const ConvShape& s = p.s;
  const int64_t k = s.icg() * s.taps(), ocg = s.ocg(), pixels = s.out_plane(), lda = kc * kMr;
  const bool finish = k0 + kc == k, packed = ldb == 0;
  const float* bias = p.bias.empty() ? nullptr : p.bias.data();
  for (int64_t qg = q0; qg < q1; qg += 3) {
    const int64_t nq = std::min<int64_t>(3, q1 - qg);
    const float* a = p.weight.data() + panel_block(s, g, qg, k0, kc);
    const auto out = [&](int64_t q, int64_t rows, int64_t px, int64_t w) {
      const int64_t oc = g * ocg + q * kMr, off = (n * s.oc + oc) * pixels + p0 + px;
      return TileOut{r.y + off, pixels, finish && r.residual != nullptr ? r.residual + off : nullptr,
                     bias == nullptr ? nullptr : bias + oc, std::min(rows, ocg - q * kMr),
                     std::min(w, tl.np - px), k0 > 0 || r.accumulate, finish};
    };
    const auto wide = [&](int64_t q, int64_t t) {
      const int64_t px = t * kNr;
      const TileOut o = out(qg + q, kMr, px, kNr);
      // direct calls, not through a pointer: the packed row stride is a constant
      if (packed && t == 0) {  // the first tile of the panel group reads its weights from memory
        micro_wide<false, ACT, false, true>(kc, a + q * lda, bp + kc * px, kNr, o, av);
      } else if (packed) {
        micro_wide<false, ACT>(kc, a + q * lda, bp + kc * px, kNr, o, av);
      } else if (px + kNr > tl.np) {
        micro_wide<true, ACT>(kc, a + q * lda, bp + px, ldb, o, av);
      } else if (stream && q == 0) {  // the group's first panel brings B's tile in; the others find it in L1
        micro_wide<false, ACT, true>(kc, a + q * lda, bp + px, ldb, o, av);
      } else {
        micro_wide<false, ACT>(kc, a + q * lda, bp + px, ldb, o, av);
      }
    };
    // the next tile's residual (cold: written layers ago; in y when in place) on its way while this tile computes
    const int64_t at = (n * s.oc + g * ocg + qg * kMr) * pixels + p0;
    const float* res = !finish ? nullptr
                       : r.residual != nullptr ? r.residual + at
                       : r.accumulate && k0 == 0 ? r.y + at
                                                 : nullptr;
    const int64_t rows = std::min(nq * kMr, ocg - qg * kMr);
    for (int64_t t = 0; t < tl.wide; ++t) {
      if (res != nullptr && t + 1 < tl.count()) {
        const int64_t px = tl.start(t + 1), last = std::min(px + tl.width(t + 1), tl.np) - 1;
        for (int64_t rr = 0; rr < rows; ++rr) {
          _mm_prefetch(reinterpret_cast<const char*>(res + rr * pixels + px), _MM_HINT_T0);
          _mm_prefetch(reinterpret_cast<const char*>(res + rr * pixels + last), _MM_HINT_T0);
        }
      }
      for (int64_t q = 0; q < nq; ++q) wide(q, t);
    }
    for (int64_t t = tl.wide; t < tl.count(); ++t) {
      const int64_t px = tl.start(t);
      const float* b = packed ? bp + kc * px : bp + px;
      const int64_t ld = packed ? 8 : ldb;
      const bool m = !packed && px + 8 > tl.np;
      const TileOut o = out(qg, nq * kMr, px, 8);
      if (nq == 3) {
        narrow<3, ACT>(m, kc, a, lda, b, ld, o, av);
      } else if (nq == 2) {
        narrow<2, ACT>(m, kc, a, lda, b, ld, o, av);
      } else {
        narrow<1, ACT>(m, kc, a, lda, b, ld, o, av);
      }
    }
  }
}

// A small map of one image: each thread that takes part packs the whole of B (all pixels, every reduction block;
// <= 256 x k floats, a block of it in L2) into its own scratch once per run, then runs work items of three weight
// panels against it. Packed by all threads into one shared copy instead, half of the B each thread reads sat in the
// other core's L2 (2 threads, hot: 1024->256 at 14x14 546 -> 513 us, 1024->512 1029 -> 990, 96->576 112 -> 106;
// one thread unchanged). Before that, each of two threads packed its own half of the pixels and ran every panel on
// it: weights went through L2 twice even on one thread, and a worker starting late held the whole job up (2
// threads, hot: 256->1024 at 14x14 0.85 -> 0.70 ms, 96->576 0.20 -> 0.16, 384->64 0.12 -> 0.10).
template <typename PanelFn>
int32_t gemm_small(const Conv2dPlan& p, const ConvRun& r, PanelFn panel, int64_t k, int64_t kc) {
  const ConvShape& s = p.s;
  const int64_t pixels = s.out_plane(), nq = panels(s), npad = ceil_div(pixels, 8) * 8;
  const Tiles tl(pixels);
  constexpr int64_t kRows = 32;  // rows per panel() call: an im2col panel of 32 rows stays in L1 / L2
  const uint64_t run = new_scratch_run();
  // B into this thread's scratch (block j at j * kc * npad: [tile][rows][width]), unless it holds this run's already
  const auto packed_b = [&]() -> const float* {
    bool fresh = false;
    float* dst = scratch_once(3, static_cast<size_t>(k * npad), run, fresh);
    if (dst == nullptr || !fresh) return dst;
    for (int64_t k0 = 0; k0 < k; k0 += kc) {
      const int64_t kb = std::min(kc, k - k0);
      for (int64_t i0 = 0; i0 < kb; i0 += kRows) {
        const int64_t i1 = std::min(kb, i0 + kRows);
        int64_t ldb = 0;
        const float* b = panel(r.x, k0 + i0, i1 - i0, 0, pixels, ldb);
        if (b == nullptr) return nullptr;
        pack_b(b, ldb, kb, tl, dst + k0 * npad, i0, i1);
      }
    }
    return dst;
  };
  std::atomic<bool> oom{false};
  const int64_t groups = ceil_div(nq, 3);
  avx2::dispatch_act(p.act.act, [&](auto tag) {
    constexpr int ACT = decltype(tag)::value;
    const avx2::ActVec av(p.act);
    parallel_for(groups, 3 * kMr * pixels * k, [&](int64_t lo, int64_t hi) {
      const float* bp = packed_b();
      if (bp == nullptr) {
        oom = true;
        return;
      }
      const int64_t q0 = 3 * lo, q1 = std::min(nq, 3 * hi);
      for (int64_t k0 = 0; k0 < k; k0 += kc)
        block<ACT>(p, r, 0, 0, q0, q1, k0, std::min(kc, k - k0), 0, tl, bp + k0 * npad, 0, av);
    });
  });
  return oom ? fail(C4J_ERR_NOMEM, "out of memory for the packed conv2d input") : C4J_OK;
}

// For each (image, group, pixel chunk, panel range) and each reduction block: B's rows from panel(x, k0, kc, p0,
// np, ldb) (null when out of memory), packed into tiles unless the group has few output channels (then packing,
// a pass over B, costs more than the strided loads it saves: 32->16 at 112x112 ran 15% slower packed; a 1x1 input
// of a small map stays in place up to kPackMinChannelsSmallMap), then the
// block's micro-tiles. A packed small map of one image goes to gemm_small; other small maps are not cut into
// pixel chunks for threads (a 7x7 map would leave a 1-pixel chunk): their panels are split.
template <typename PanelFn>
int32_t gemm(const Conv2dPlan& p, const ConvRun& r, PanelFn panel, bool x_in_place = false) {
  const ConvShape& s = p.s;
  const int64_t k = s.icg() * s.taps(), pixels = s.out_plane(), images = r.batch * s.groups, nq = panels(s);
  const int64_t kc = reduction_block(k);
  const bool small = pixels <= kSmallMap;
  const bool pack = s.ocg() > (x_in_place && small ? kPackMinChannelsSmallMap : kPackMinChannels);
  if (small && pack && images == 1) return gemm_small(p, r, panel, k, kc);
  // x read in place from planes of whole vectors (every row aligned alike): its first `head` pixels (0-7) run as a
  // tile of their own, and the chunks cut the rest, so every other tile's loads start on a 32-byte boundary. A Java
  // array's data starts 16 bytes into its object; read from there, one load in three of a wide tile split a cache
  // line (one thread: 192->32 at 28x28 93 us aligned, 109 us 16 bytes off; 32->16 at 112x112 154 / 169 us).
  const int64_t head = x_in_place && !pack && s.in_plane() % 8 == 0 && pixels > 8
                           ? (8 - static_cast<int64_t>(reinterpret_cast<uintptr_t>(r.x) / sizeof(float) % 8)) % 8
                           : 0;
  const int64_t body = pixels - head;
  // pixel chunks whose B block fits L2; with threads, about eight work items per thread (the caller waits at the
  // end of a job for the last item a worker claimed: 3136 pixels in seven chunks of 504 left one of two threads
  // idle for a seventh of the job; now 16 chunks of 24-25 vectors), in all a multiple of the threads, each chunk
  // the same number of vectors. Pixels are split first (weights are shared, each chunk packs its own B), then
  // panels (each range packs the whole of B again: six ranges on 384->64 at 14x14 ran 15% slower than pixel
  // chunks); other small maps (batches, few channels) into one item per image and thread, whole vectors each
  // (196 pixels: 104 + 92, not 168 + 28).
  const int64_t threads = num_threads();
  const int64_t want = threads == 1 ? 1 : (small ? 1 : kWorkItemsPerThread) * threads, nvec = ceil_div(body, 8);
  int64_t chunks = ceil_div(body, std::max(kNr, kBlockFloats / kc / kNr * kNr));
  if (images * chunks < want) chunks = std::min(ceil_div(want, images), std::max<int64_t>(1, body / kMinChunk));
  // one thread: chunks of whole wide tiles (of vectors on a small map), the last one short
  const bool equal = threads > 1 && !small;
  if (equal) chunks = std::min(nvec, ceil_div(ceil_div(images * chunks, threads) * threads, images));
  const int64_t align = small ? 8 : kNr;
  const int64_t nc = equal ? ceil_div(nvec, chunks) * 8  // the widest chunk
                           : std::min(body, ceil_div(ceil_div(body, chunks), align) * align);
  if (!equal) chunks = ceil_div(body, nc);
  const auto chunk_at = [&](int64_t c) { return head + std::min(body, equal ? nvec * c / chunks * 8 : c * nc); };
  const int64_t splits = std::min(nq, std::max<int64_t>(1, ceil_div(want, images * chunks)));
  const int64_t unit_cost = nc * k * ceil_div(s.ocg(), splits);
  const bool stream = x_in_place && !pack && r.batch * s.ic * s.in_plane() > kStreamFloats;
  std::atomic<bool> oom{false};
  avx2::dispatch_act(p.act.act, [&](auto tag) {
    constexpr int ACT = decltype(tag)::value;
    const avx2::ActVec av(p.act);
    parallel_for(images * chunks * splits, unit_cost, [&](int64_t lo, int64_t hi) {
      float* bp = pack ? scratch(2, static_cast<size_t>(kc * ((nc + 7) / 8 * 8))) : nullptr;
      if (pack && bp == nullptr) {
        oom = true;
        return;
      }
      for (int64_t u = lo; u < hi; ++u) {
        const int64_t split = u % splits, chunk = u / splits % chunks, ng = u / splits / chunks;
        const int64_t n = ng / s.groups, g = ng % s.groups, p0 = chunk_at(chunk), np = chunk_at(chunk + 1) - p0;
        const int64_t q0 = nq * split / splits, q1 = nq * (split + 1) / splits;
        const float* x = r.x + (n * s.ic + g * s.icg()) * s.in_plane();
        // pixels [pa, pa + na): every reduction block
        const auto pixel_range = [&](int64_t pa, int64_t na) {
          const Tiles tl(na);
          for (int64_t k0 = 0; k0 < k; k0 += kc) {
            const int64_t kb = std::min(kc, k - k0);
            int64_t ldb = 0;
            const float* b = panel(x, k0, kb, pa, na, ldb);
            if (b == nullptr) return false;
            if (pack) {
              pack_b(b, ldb, kb, tl, bp, 0, kb);
              block<ACT>(p, r, n, g, q0, q1, k0, kb, pa, tl, bp, 0, av);
            } else {
              block<ACT>(p, r, n, g, q0, q1, k0, kb, pa, tl, b, ldb, av, stream);
            }
          }
          return true;
        };
        if ((chunk == 0 && head > 0 && !pixel_range(0, head)) || !pixel_range(p0, np)) {
          oom = true;
          return;
        }
      }
    });
  });
  return oom ? fail(C4J_ERR_NOMEM, "out of memory for the conv2d im2col panel") : C4J_OK;
}

// Stride-2 stems (im2col_stem_phases: 7x7 3->64 and 3x3 3->32 at 224x224) never materialise the panel. Each
// image's zero-padded input is split into its four phases, ph[ic][a][b][i][j] = xpad[2i + a][2j + b], and tap (ic, kh,
// kw) of output pixel (oh, ow) is then ph[ic][kh % 2][kw % 2][oh + kh / 2][ow + kw / 2]: B's row k for a run of one
// output row's pixels is a run of one phase row, at an offset fixed per k. A tile loads its vectors from there
// (stem_tile), so B is neither gathered into a panel nor packed, and the phases (3 x 4 planes of 115 x 120 floats
// for the 7x7 stem: 660 KB) stay in L2 while the output rows pass. Tiles run along output rows: 112 pixels are 4
// wide tiles and one of 16. One thread, hot, us, DIRECT / im2col panel / phases: 7x7 3->64 2370 / 2600 / 2140,
// 3x3 3->32 365 / 272 / 250; ResNet-50's convolutions chained in C++, alternated in one process, its 7x7 stem
// DIRECT / phases: 2514 / 2394 us (two threads 1291 / 1220).
// In a model the stem's output (3.2 MB over 64 planes) was written by the previous run and comes from memory: with
// y's lines cold (8 rotating outputs) the 7x7 stem ran 2.2 -> 2.8 ms. Each tile therefore prefetches the lines it
// will write in the next output row: cold 2.55 -> 2.44 ms (two threads 1.54 -> 1.42), hot 2.52 -> 2.37.
static_assert(kStemMaxReduction <= kKc, "a stem's reduction is one block");

// The phase planes of one image: rows of `stride` floats (a multiple of 8, reaching every column a tile loads).
struct Phases {
  int64_t rows, stride;
  explicit Phases(const ConvShape& s)
      : rows(s.oh + (s.kh - 1) / 2), stride(((s.ow + 7) / 8 * 8 + (s.kw - 1) / 2 + 7) / 8 * 8) {}
  int64_t plane() const { return rows * stride; }
};

// Items [lo, hi) of image x: item u is channel u / (2 rows) and r = u % (2 rows) = 2 i + a, whose input row r - pt
// gives row i of phases (a, 0) and (a, 1), zero where the tap is padding: 16 input columns (masked at the row's ends)
// give 8 columns of each, the even lanes and the odd. The input is read once, front to back: it is the model's
// input, which comes from memory, and the hardware prefetcher follows one forward stream. Phase by phase (every other
// row, each row read twice) the 3x3 stem took 352 us with its input cold, now 292 (hot 263 -> 245; the 7x7 stem cold
// 2.30 -> 2.24 ms).
void split_phases(const ConvShape& s, const Phases& ph, const float* x, float* out, int64_t lo, int64_t hi) {
  for (int64_t u = lo; u < hi; ++u) {
    const int64_t r = u % (2 * ph.rows), ic = u / (2 * ph.rows), i = r / 2, a = r % 2;
    float* dst0 = out + ((ic * 4 + 2 * a) * ph.rows + i) * ph.stride;  // phase (a, 0); (a, 1) is the next plane
    float* dst1 = dst0 + ph.plane();
    const int64_t ih = r - s.pt;
    if (ih < 0 || ih >= s.h) {
      for (int64_t j = 0; j < ph.stride; j += 8) {
        _mm256_storeu_ps(dst0 + j, _mm256_setzero_ps());
        _mm256_storeu_ps(dst1 + j, _mm256_setzero_ps());
      }
      continue;
    }
    const float* row = x + ic * s.in_plane() + ih * s.w;
    for (int64_t j = 0; j < ph.stride; j += 8) {
      const int64_t c = 2 * j - s.pl;  // phase (a, 0) column j; (a, 1)'s is the next input column
      const __m256 v0 = avx2::row_cols(row, c, s.w), v1 = avx2::row_cols(row, c + 8, s.w);
      _mm256_storeu_ps(dst0 + j, avx2::even(v0, v1));
      _mm256_storeu_ps(dst1 + j, avx2::odd(v0, v1));
    }
  }
}

// 4 channels x 8 NV pixels of one output row: a step k broadcasts 4 packed weights and loads NV vectors at
// b + off[k] (the phases are padded, so loads never need a mask; pixels past o.n are not stored). Not inlined:
// inside stem_run's row loop GCC kept two of the B vectors on the stack (the 7x7 stem ran 4.3 ms instead of 2.1).
template <int NV, int ACT>
__attribute__((noinline)) void stem_tile(int64_t k, const float* a, const float* b, const int64_t* off,
                                         const TileOut& o, const avx2::ActVec& av) {
  __m256 c00 = _mm256_setzero_ps(), c10 = c00, c20 = c00, c30 = c00;
  __m256 c01 = c00, c11 = c00, c21 = c00, c31 = c00;
  __m256 c02 = c00, c12 = c00, c22 = c00, c32 = c00;
  for (int64_t i = 0; i < k; ++i, a += kMr) {
    const float* bi = b + off[i];
    const __m256 b0 = _mm256_loadu_ps(bi);
    const __m256 b1 = NV > 1 ? _mm256_loadu_ps(bi + 8) : b0, b2 = NV > 2 ? _mm256_loadu_ps(bi + 16) : b0;
#define C4J_ROW(r)                                                  \
  {                                                                 \
    const __m256 w = _mm256_broadcast_ss(a + r);                    \
    c##r##0 = _mm256_fmadd_ps(w, b0, c##r##0);                      \
    if constexpr (NV > 1) c##r##1 = _mm256_fmadd_ps(w, b1, c##r##1); \
    if constexpr (NV > 2) c##r##2 = _mm256_fmadd_ps(w, b2, c##r##2); \
  }
    C4J_ROW(0) C4J_ROW(1) C4J_ROW(2) C4J_ROW(3)
#undef C4J_ROW
  }
  put_tile4<NV, ACT>(o, c00, c01, c02, c10, c11, c12, c20, c21, c22, c30, c31, c32, av);
}

int32_t stem_run(const Conv2dPlan& p, const ConvRun& r) {
  const ConvShape& s = p.s;
  const Phases ph(s);
  const int64_t k = s.ic * s.taps(), nq = panels(s), pixels = s.out_plane(), lda = k * kMr;
  int64_t off[kKc];  // B's row k, from the phase row of output row oh at column ow: + off[k]
  for (int64_t ic = 0; ic < s.ic; ++ic)
    for (int64_t kh = 0; kh < s.kh; ++kh)
      for (int64_t kw = 0; kw < s.kw; ++kw)
        off[(ic * s.kh + kh) * s.kw + kw] =
            ((ic * 4 + kh % 2 * 2 + kw % 2) * ph.rows + kh / 2) * ph.stride + kw / 2;
  float* phases = scratch(1, static_cast<size_t>(s.ic * 4 * ph.plane()));
  if (phases == nullptr) return fail(C4J_ERR_NOMEM, "out of memory for the conv2d input phases");
  const float* bias = p.bias.empty() ? nullptr : p.bias.data();
  avx2::dispatch_act(p.act.act, [&](auto tag) {
    constexpr int ACT = decltype(tag)::value;
    const avx2::ActVec av(p.act);
    for (int64_t n = 0; n < r.batch; ++n) {
      const float* x = r.x + n * s.ic * s.in_plane();
      parallel_for(s.ic * 2 * ph.rows, 2 * ph.stride, [&](int64_t lo, int64_t hi) {
        split_phases(s, ph, x, phases, lo, hi);
      });
      parallel_for(s.oh, s.ow * k * s.oc, [&](int64_t lo, int64_t hi) {
        for (int64_t oh = lo; oh < hi; ++oh) {
          const float* b = phases + oh * ph.stride;
          for (int64_t qg = 0; qg < nq; qg += 3) {  // three panels (12 channels) at a time, their weights in L1
            for (int64_t ow = 0; ow < s.ow; ow += kNr) {
              const int64_t np = std::min(kNr, s.ow - ow);
              for (int64_t q = qg; q < std::min(nq, qg + 3); ++q) {
                const int64_t off_y = (n * s.oc + q * kMr) * pixels + oh * s.ow + ow;
                const TileOut o{r.y + off_y, pixels, r.residual == nullptr ? nullptr : r.residual + off_y,
                                bias == nullptr ? nullptr : bias + q * kMr, std::min(kMr, s.oc - q * kMr), np,
                                r.accumulate, true};
                const float* a = p.weight.data() + q * lda;
                if (oh + 1 < s.oh) {  // the lines this tile writes in the next output row
                  for (int64_t rr = 0; rr < o.rows; ++rr) {
                    const float* next = o.c + rr * pixels + s.ow;
                    _mm_prefetch(reinterpret_cast<const char*>(next), _MM_HINT_T0);
                    _mm_prefetch(reinterpret_cast<const char*>(next + np - 1), _MM_HINT_T0);
                  }
                }
                if (np > 16) {
                  stem_tile<3, ACT>(k, a, b + ow, off, o, av);
                } else if (np > 8) {
                  stem_tile<2, ACT>(k, a, b + ow, off, o, av);
                } else {
                  stem_tile<1, ACT>(k, a, b + ow, off, o, av);
                }
              }
            }
          }
        }
      });
    }
  });
  return C4J_OK;
}

}  // namespace

void conv2d_im2col_gemm_pack(Conv2dPlan& p, const float* w) {
  const ConvShape& s = p.s;
  const int64_t k = s.icg() * s.taps(), ocg = s.ocg(), nq = panels(s), kc = reduction_block(k);
  p.weight.assign(static_cast<size_t>(s.groups * nq * k * kMr), 0.f);
  for (int64_t g = 0; g < s.groups; ++g)
    for (int64_t k0 = 0; k0 < k; k0 += kc) {
      const int64_t kb = std::min(kc, k - k0);
      for (int64_t o = 0; o < ocg; ++o) {
        float* dst = p.weight.data() + panel_block(s, g, o / kMr, k0, kb) + o % kMr;
        for (int64_t i = 0; i < kb; ++i) dst[i * kMr] = w[(g * ocg + o) * k + k0 + i];
      }
    }
}

int32_t conv2d_im2col_gemm_run(const Conv2dPlan& p, const ConvRun& r) {
  const ConvShape& s = p.s;
  if (im2col_stem_phases(s)) return stem_run(p, r);
  return gemm(p, r, [&](const float* x, int64_t k0, int64_t kc, int64_t p0, int64_t np, int64_t& ldb) {
    ldb = (np + 7) / 8 * 8;  // rows start 32-byte aligned: B loads never straddle two cache lines
    float* col = scratch(1, static_cast<size_t>(kc * ldb));
    if (col != nullptr) im2col(s, x, k0, kc, p0, np, ldb, col);
    return static_cast<const float*>(col);
  });
}

// GEMM_1X1: a 1x1 stride-1 unpadded convolution is already a GEMM on the input planes: B = x, no panel.
int32_t conv2d_gemm_1x1_run(const Conv2dPlan& p, const ConvRun& r) {
  const int64_t plane = p.s.in_plane();
  return gemm(
      p, r,
      [&](const float* x, int64_t k0, int64_t, int64_t p0, int64_t, int64_t& ldb) {
        ldb = plane;
        return x + k0 * plane + p0;
      },
      true);
}

}  // namespace c4j
