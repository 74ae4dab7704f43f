// conv2d DIRECT: register-blocked AVX2/FMA direct convolution for any kernel, stride, dilation and groups.
//
// An implicit GEMM: output channels x output pixels, reduced over steps k = (ic, kh, kw) in OIHW order. A tile
// keeps 8*NV output channels x NP output pixels in NV*NP ymm accumulators (16 x 6 = 12 registers); a step loads NV
// packed weight vectors (64 contiguous bytes, weights packed once per 16-channel block as [k][16]) and broadcasts
// NP input values. The run zero-pads the input once, so every tap is a plain load: pixel j reads
// xp[pix[j] + offsets[k]], where pix[j] is the pixel's window corner (stride) and offsets[k] the step's channel,
// row and column (dilation), a table made at create. Nothing is materialised per tap, and no branch sits in the loop.
// A 1x1 kernel without padding reads each input value once: the run packs its input into tile-major panels
// [tile][ic][6] instead (ConvShape::unpadded_1x1), the same loop with pix[j] = j in the tile's panel and offsets[k] =
// 6k, so a tile's broadcasts come from one 24-byte run per step rather than from a new cache line per input channel
// (1x1 convs on 7x7 maps, one thread: 43-49 -> 78-86 GFLOP/s).
// Tiles are flat ranges of the output plane, so a 7x7 map is 49 pixels in 9 tiles of 5-6 (not 7 rows of 4 + 3 or
// virtual rows that compute the padding columns), stored into NCHW with an 8x8 transpose.
// Blocking: a work unit is (image, group, pixel band, channel blocks). Per block, the steps go in chunks of kKc
// (kKcBanded for kernels with taps on maps of several bands) whose weights (16 KB, 8 KB) stay in L1 while every
// tile of the band runs them, partial sums parked in a per-thread buffer; with kw fastest, a tile's 3x3 window
// reuses the input lines it just loaded. A block's weights are read once per band: on small maps (one band) once
// per run, so 512->512 on 7x7 streams its 9.4 MB once.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <utility>

#include "conv2d.h"
#include "pad2d.h"
#include "shuffle_avx2.h"
#include "thread_pool.h"

namespace c4j {
namespace {

constexpr int64_t kBlock = 16;    // output channels per packed weight block
constexpr int kTile = 6;          // output pixels per full tile
constexpr int64_t kKc = 256;      // reduction steps per chunk: a 16-channel weight chunk is 16 KB
// Reduction steps per chunk for a kernel with several taps on a map of several bands: the band's input lines a
// chunk reads (7-8 rows of 28 channels at stride 2) then crowd its weights out of L1. ResNet-50's convolutions
// chained in C++, one thread, alternated in one process, 256 -> 128 steps: 3x3 stride 2 128 @56 0.92-0.96 of the
// time, 256 @28 0.93-0.94; one band (512 @14 -> 7x7) 1.00-1.05 and 1x1 on 7x7 maps 0.99-1.06 keep 256.
constexpr int64_t kKcBanded = 128;
constexpr int64_t kBand = 16;     // tiles per pixel band (96 pixels) when the map is split
constexpr int64_t kAcc = 2 * 8 * kTile;  // floats of one parked tile
constexpr int64_t kAhead = 16 * 1024;     // weight prefetch distance in bytes (32 and 64 KB measured no better)

// The padded input the run builds: [image][ic][hp][wp], just the rows and columns some output reads.
struct Padded {
  int64_t hp, wp;
  int64_t plane() const { return hp * wp; }
};

Padded padded_size(const ConvShape& s) {
  return {(s.oh - 1) * s.sh + (s.kh - 1) * s.dh + 1, (s.ow - 1) * s.sw + (s.kw - 1) * s.dw + 1};
}

// One tile over `steps` reduction steps: acc[v][j][8] (+)= sum_k w[k][8v..8v+8) * x[pix[j] + off[k]].
// The accumulators are named variables, not an array: GCC -O3 keeps a __m256 array in memory and would store all
// twelve to the stack on every step.
// PK: the packed 1x1 panels, whose offsets are 6 k: the tap pointer steps by 6 instead of reading the table
// (1x1 on 7x7 maps, hot, 1 thread: 1-4% faster).
template <int NV, int NP, bool PK>
void tile(const float* x, const int64_t* off, int64_t steps, const float* w, const int64_t* pix, float* acc,
          bool load) {
  static_assert(NV >= 1 && NV <= 2 && NP >= 1 && NP <= kTile, "tile size");
  __m256 a00 = _mm256_setzero_ps(), a01 = a00, a02 = a00, a03 = a00, a04 = a00, a05 = a00;
  __m256 a10 = a00, a11 = a00, a12 = a00, a13 = a00, a14 = a00, a15 = a00;
#define C4J_FOR_J(M) M(0) M(1) M(2) M(3) M(4) M(5)
#define C4J_LOAD(j)                                                        \
  if constexpr (NP > j) {                                                  \
    a0##j = _mm256_loadu_ps(acc + 8 * j);                                  \
    if constexpr (NV > 1) a1##j = _mm256_loadu_ps(acc + 8 * (NP + j));     \
  }
  if (load) {
    C4J_FOR_J(C4J_LOAD)
  }
#undef C4J_LOAD
  // pixel j's tap sits at p + pj: one base + index address per broadcast, no per-pixel pointer arithmetic
  const int64_t p0 = pix[0], p1 = pix[NP > 1 ? 1 : 0], p2 = pix[NP > 2 ? 2 : 0], p3 = pix[NP > 3 ? 3 : 0];
  const int64_t p4 = pix[NP > 4 ? 4 : 0], p5 = pix[NP > 5 ? 5 : 0];
  constexpr int lanes = 8 * NV;
  const float* pk = PK ? x + *off : x;  // PK: the table is read for the first step only
  for (const int64_t* end = off + steps; off != end; ++off, w += lanes, pk += kTile) {
    const float* p = PK ? pk : x + *off;
    const __m256 w0 = _mm256_loadu_ps(w), w1 = NV > 1 ? _mm256_loadu_ps(w + 8) : w0;
#define C4J_STEP(j)                                               \
  if constexpr (NP > j) {                                         \
    const __m256 b = _mm256_broadcast_ss(p + p##j);               \
    a0##j = _mm256_fmadd_ps(w0, b, a0##j);                        \
    if constexpr (NV > 1) a1##j = _mm256_fmadd_ps(w1, b, a1##j);  \
  }
    C4J_FOR_J(C4J_STEP)
#undef C4J_STEP
  }
#define C4J_STORE(j)                                                   \
  if constexpr (NP > j) {                                              \
    _mm256_storeu_ps(acc + 8 * j, a0##j);                              \
    if constexpr (NV > 1) _mm256_storeu_ps(acc + 8 * (NP + j), a1##j); \
  }
  C4J_FOR_J(C4J_STORE)
#undef C4J_STORE
#undef C4J_FOR_J
}

using TileFn = void (*)(const float*, const int64_t*, int64_t, const float*, const int64_t*, float*, bool);

template <int NV, bool PK, int... NP>
constexpr std::array<TileFn, sizeof...(NP)> tiles(std::integer_sequence<int, NP...>) {
  return {&tile<NV, NP + 1, PK>...};
}

// tile functions by [PK][NV - 1][NP - 1]
using TileFns = std::array<std::array<TileFn, kTile>, 2>;
const std::array<TileFns, 2> kTiles = {
    TileFns{tiles<1, false>(std::make_integer_sequence<int, kTile>()),
            tiles<2, false>(std::make_integer_sequence<int, kTile>())},
    TileFns{tiles<1, true>(std::make_integer_sequence<int, kTile>()),
            tiles<2, true>(std::make_integer_sequence<int, kTile>())}};

// A finished tile acc[v][j][8] into y (channels nout, pixels np from `out`, channel stride `plane`): accumulators
// hold 8 channels of one pixel, NCHW wants each channel's pixels together, so 8x8 transposes. Stores are 8 wide
// (lanes past np carry zero, or y's own value when accumulating, and the band's next tile overwrites them): AMD's
// masked stores are slow. Only a tile within 8 pixels of its band's end (`edge`) masks: past it, y is someone else's.
void store(const float* acc, int nv, int np, int64_t nout, float* out, int64_t plane, bool accumulate, bool edge) {
  const __m256 z = _mm256_setzero_ps();
  const __m256i live = _mm256_cmpgt_epi32(_mm256_set1_epi32(np), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  for (int v = 0; v < nv; ++v) {
    __m256 rows[8];
    for (int j = 0; j < 8; ++j) rows[j] = j < np ? _mm256_loadu_ps(acc + 8 * (v * np + j)) : z;
    avx2::transpose8(rows);
    for (int64_t c = 0; c < std::min<int64_t>(8, nout - 8 * v); ++c) {
      float* o = out + (8 * v + c) * plane;
      __m256 val = rows[c];
      if (edge) {
        if (accumulate) val = _mm256_add_ps(val, _mm256_maskload_ps(o, live));
        _mm256_maskstore_ps(o, live, val);
      } else {
        if (accumulate) val = _mm256_add_ps(val, _mm256_loadu_ps(o));
        _mm256_storeu_ps(o, val);
      }
    }
  }
}

// Channel blocks [blk0, blk1) over output pixels [q0, q1) of one image and group; xp is the group's padded input.
// For an unpadded 1x1 kernel, xp is the band's packed panels instead.
bool unit(const Conv2dPlan& p, const ConvRun& r, const Padded& pd, const float* xp, int64_t n, int64_t g,
          int64_t blk0, int64_t blk1, int64_t q0, int64_t q1) {
  const ConvShape& s = p.s;
  const int64_t ocg = s.ocg(), K = s.icg() * s.taps(), plane = s.out_plane(), ocg8 = (ocg + 7) / 8 * 8;
  const int64_t tiles = (q1 - q0 + kTile - 1) / kTile;  // equal tiles: 49 pixels -> 9 of 5-6, not 8 of 6 + 1
  const int64_t kc = s.taps() > 1 && q1 - q0 < plane ? kKcBanded : kKc;
  float* park = scratch(3, static_cast<size_t>(tiles * kAcc));
  auto* pix = reinterpret_cast<int64_t*>(scratch(2, static_cast<size_t>(tiles * (kTile + 1) * 2)));
  if (park == nullptr || pix == nullptr) return false;
  // per tile: its first pixel, then its pixels' window corners in the padded input (or places in the panels)
  const bool packed = s.unpadded_1x1();
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t a = q0 + (q1 - q0) * t / tiles, b = q0 + (q1 - q0) * (t + 1) / tiles;
    int64_t* e = pix + t * (kTile + 1);
    e[0] = a;
    for (int64_t q = a; q < b; ++q)
      e[1 + q - a] = packed ? t * K * kTile + q - a : q / s.ow * s.sh * pd.wp + q % s.ow * s.sw;
  }
  float* y = r.y + (n * s.oc + g * ocg) * plane;
  const float* res = r.residual == nullptr ? nullptr : r.residual + (n * s.oc + g * ocg) * plane;
  const float* old = r.accumulate ? y : res;  // the residual: in y already, or read by the epilogue
  // The unit's weights are one contiguous run (blocks in order, each [K][lanes]); they stream from memory on small
  // maps, where a block serves a few tiles only: the run kAhead bytes ahead of the chunk computing is prefetched
  // into L2, spread over the chunk's tiles, and the first kAhead bytes before the first tile.
  const float* wall = p.weight.data() + g * ocg8 * K;
  const char* wbytes = reinterpret_cast<const char*>(wall);
  const int64_t wend = std::min(blk1 * kBlock, ocg8) * K * 4;  // bytes from wall
  for (int64_t l = blk0 * kBlock * K * 4; l < std::min(blk0 * kBlock * K * 4 + kAhead, wend); l += 64)
    _mm_prefetch(wbytes + l, _MM_HINT_T1);
  for (int64_t blk = blk0; blk < blk1; ++blk) {
    const int64_t oc0 = blk * kBlock, nout = std::min(kBlock, ocg - oc0), nv = nout > 8 ? 2 : 1;
    const float* wb = wall + oc0 * K;
    const auto& fns = kTiles[packed ? 1 : 0][nv - 1];
    for (int64_t k0 = 0; k0 < K; k0 += kc) {
      const int64_t steps = std::min(kc, K - k0);
      const float* w = wb + k0 * 8 * nv;
      const int64_t ahead = (w - wall) * 4 + kAhead;
      const int64_t lines = std::max<int64_t>(0, std::min<int64_t>(steps * nv / 2, (wend - ahead + 63) / 64));
      for (int64_t t = 0; t < tiles; ++t) {
        const int64_t* e = pix + t * (kTile + 1);
        const int64_t a = e[0], np = (t + 1 < tiles ? e[kTile + 1] : q1) - a;
        for (int64_t l = lines * t / tiles; l < lines * (t + 1) / tiles; ++l)
          _mm_prefetch(wbytes + ahead + 64 * l, _MM_HINT_T1);
        // on the last chunk, what the next tile's outputs add (cold: written layers ago) on its way to L1
        if (old != nullptr && k0 + steps == K && t + 1 < tiles) {
          const int64_t b = e[kTile + 1], last = (t + 2 < tiles ? e[2 * (kTile + 1)] : q1) - 1;
          for (int64_t c = 0; c < nout; ++c) {
            _mm_prefetch(reinterpret_cast<const char*>(old + (oc0 + c) * plane + b), _MM_HINT_T0);
            _mm_prefetch(reinterpret_cast<const char*>(old + (oc0 + c) * plane + last), _MM_HINT_T0);
          }
        }
        float* acc = park + t * kAcc;
        fns[np - 1](xp, p.offsets.data() + k0, steps, w, e + 1, acc, k0 > 0);
        if (k0 + steps == K) store(acc, static_cast<int>(nv), static_cast<int>(np), nout, y + oc0 * plane + a,
                                   plane, r.accumulate, a + 8 > q1);
      }
    }
    const int64_t at = oc0 * plane + q0;
    conv2d_epilogue_rows(p, y + at, res == nullptr ? nullptr : res + at, g * ocg + oc0, nout, q1 - q0, plane);
  }
  return true;
}

// Input channels [c0, c1) of the packed 1x1 input panels of image-group ng, band [q0, q1): tile t (as unit() splits the
// band) holds, per input channel c, its pixels' values at dst[(t * icg + c) * 6 + j].
void pack_band(const ConvShape& s, const float* x, int64_t ng, int64_t q0, int64_t q1, int64_t c0, int64_t c1,
               float* dst) {
  const int64_t icg = s.icg(), plane = s.in_plane(), tiles = (q1 - q0 + kTile - 1) / kTile;
  const float* xg = x + ng * icg * plane;  // image n, group g: planes (n * ic + g * icg)
  for (int64_t t = 0; t < tiles; ++t) {
    const int64_t a = q0 + (q1 - q0) * t / tiles, np = q0 + (q1 - q0) * (t + 1) / tiles - a;
    int64_t at[kTile];
    for (int64_t j = 0; j < np; ++j) at[j] = (a + j) / s.ow * s.sh * s.w + (a + j) % s.ow * s.sw;
    const bool run = np >= 4 && at[np - 1] - at[0] == np - 1;  // one contiguous run of the plane
    float* d = dst + (t * icg + c0) * kTile;
    const float* src = xg + c0 * plane;
    for (int64_t c = c0; c < c1; ++c, d += kTile, src += plane) {
      int64_t j = 0;
      if (run) {
        _mm_storeu_ps(d, _mm_loadu_ps(src + at[0]));
        j = 4;
      }
      for (; j < np; ++j) d[j] = src[at[j]];
    }
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
        for (int64_t k = 0; k < K; ++k) dst[k * lanes + c] = w[(g * ocg + oc0 + c) * K + k];
    }
  }
  const Padded pd = padded_size(s);
  p.offsets.resize(static_cast<size_t>(K));
  if (s.unpadded_1x1()) {
    for (int64_t k = 0; k < K; ++k) p.offsets[k] = k * kTile;
    return;
  }
  for (int64_t ic = 0; ic < icg; ++ic)
    for (int64_t kh = 0; kh < s.kh; ++kh)
      for (int64_t kw = 0; kw < s.kw; ++kw)
        p.offsets[(ic * s.kh + kh) * s.kw + kw] = ic * pd.plane() + kh * s.dh * pd.wp + kw * s.dw;
}

int32_t conv2d_direct_run(const Conv2dPlan& p, const ConvRun& r) {
  const ConvShape& s = p.s;
  const Padded pd = padded_size(s);
  const int64_t images = r.batch * s.groups, pixels = s.out_plane();
  const bool packed = s.unpadded_1x1();
  const int64_t bands = (pixels + kBand * kTile - 1) / (kBand * kTile);
  const int64_t panel = kBand * s.icg() * kTile;  // floats of one band's packed panels
  // A 1x1 input of one band of one image (a small map at batch 1): each thread that takes part packs the whole band
  // into its own scratch, once per run. Packed jointly (in channel slices) instead, half of the panels each thread
  // read sat in the other core's L2 (2 threads, hot, us: 576->160 at 7x7 134 -> 53, 960->160 150 -> 86, 2048->512
  // 636 -> 521, 512->2048 586 -> 513, 1x1 stride 2 256->512 at 14x14 98 -> 73; one thread unchanged).
  const bool own = packed && images * bands == 1;
  const uint64_t run = own ? new_scratch_run() : 0;
  const auto own_panels = [&]() -> const float* {
    bool fresh = false;
    float* mine = scratch_once(1, static_cast<size_t>(panel), run, fresh);
    if (mine != nullptr && fresh) pack_band(s, r.x, 0, 0, pixels, 0, s.icg(), mine);
    return mine;
  };
  float* xp = own ? nullptr
                  : scratch(1, static_cast<size_t>(packed ? images * bands * panel : r.batch * s.ic * pd.plane()));
  if (!own && xp == nullptr) return fail(C4J_ERR_NOMEM, "out of memory for the padded conv2d input");
  if (packed && !own) {  // (own panels: packed by the work units below)
    // in channel slices, so that both cores pack a 7x7 map's one band
    constexpr int64_t kSlice = 64;
    const int64_t slices = (s.icg() + kSlice - 1) / kSlice;
    parallel_for(images * bands * slices, kSlice * std::min(pixels, kBand * kTile), [&](int64_t lo, int64_t hi) {
      for (int64_t u = lo; u < hi; ++u) {
        const int64_t slice = u % slices, band = u / slices % bands, ng = u / slices / bands;
        pack_band(s, r.x, ng, pixels * band / bands, pixels * (band + 1) / bands, slice * kSlice,
                  std::min(s.icg(), (slice + 1) * kSlice), xp + (ng * bands + band) * panel);
      }
    });
  } else if (!packed) {
    // xp[i][j] = x[i - pt][j - pl] per plane, zero outside; the far pads may be negative (rows / columns no output
    // reads)
    const int64_t planes = r.batch * s.ic;
    parallel_for(planes, [&](int64_t lo, int64_t hi) {
      pad2d(r.x + lo * s.in_plane(), xp + lo * pd.plane(), hi - lo, s.h, s.w, s.pt, s.pl, pd.hp - s.h - s.pt,
            pd.wp - s.w - s.pl, C4J_PAD_ZEROS);
    });
  }
  // work units: (image, group, pixel band, channel-block range). Bands keep the parked partial sums small; blocks
  // are split only as far as needed to give every thread kWorkItemsPerThread units (each split re-reads the band's
  // input; with three, a 7x7 map's one band in six block ranges of 5 or 6 blocks, or nine bands, left one of two
  // threads waiting for the other's last unit)
  const int64_t want = kWorkItemsPerThread * num_threads();
  const int64_t blocks = (s.ocg() + kBlock - 1) / kBlock;
  const int64_t splits = std::min(blocks, std::max<int64_t>(1, (want + images * bands - 1) / (images * bands)));
  std::atomic<bool> oom{false};
  const int64_t unit_cost = ceil_div(pixels, bands) * ceil_div(s.ocg(), splits) * s.icg() * s.taps();
  parallel_for(images * bands * splits, unit_cost, [&](int64_t lo, int64_t hi) {
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t split = u % splits, band = u / splits % bands, ng = u / splits / bands;
      const float* xg = own ? own_panels() : packed ? xp + (ng * bands + band) * panel : xp + ng * s.icg() * pd.plane();
      if (xg == nullptr || !unit(p, r, pd, xg, ng / s.groups, ng % s.groups, blocks * split / splits,
                blocks * (split + 1) / splits, pixels * band / bands, pixels * (band + 1) / bands))
        oom = true;
    }
  });
  return oom ? fail(C4J_ERR_NOMEM, "out of memory for conv2d input panels or partial sums") : C4J_OK;
}

}  // namespace c4j
