// conv2d IM2COL_GEMM and GEMM_1X1: y[oc][p] = sum_k W[oc][k] * B[k][p] per (image, group), by an own AVX2/FMA GEMM
// whose weights are packed once at create. B is the input itself for a 1x1 stride-1 unpadded convolution (its
// planes are already [ic][pixel] rows), and an im2col panel [icg*kh*kw][pixels] built per block otherwise.
//
// Micro-tile: 4 output channels x 24 pixels in 12 ymm accumulators; a step k broadcasts 4 packed weights and loads
// three vectors of B's row k, so pixels (the contiguous NCHW dimension) are the vector lanes and results go straight
// to y rows without a transpose, bias + residual + activation applied in registers. Pixels are a flat range of the
// output plane (a 7x7 map is 49 pixels: two full tiles and a masked one, not seven 7-wide rows).
// Blocking: the reduction runs in blocks of <= kKc (partial sums go through y), pixels in chunks whose B block fits
// L2; inside a block every weight panel sweeps the chunk's pixel tiles.
// OpenBLAS is not used here: it repacks the weight matrix on every call and is slow on 49-196 columns.
#include <immintrin.h>

#include <algorithm>
#include <atomic>

#include "conv2d.h"
#include "epilogue_avx2.h"
#include "thread_pool.h"

namespace c4j {
namespace {

constexpr int64_t kMr = 4;                   // output channels per micro-tile (packed weight panel height)
constexpr int64_t kNr = 24;                  // pixels per micro-tile
constexpr int64_t kKc = 256;                 // reduction block: a 4 KB weight panel stays in L1
constexpr int64_t kBlockFloats = 32 * 1024;  // B block per pixel chunk: 128 KB, well inside L2

// Weight panels of one group: ceil(ocg / 4), each [k][6], rows past ocg zero.
int64_t panels(const ConvShape& s) { return (s.ocg() + kMr - 1) / kMr; }

// Where a micro-tile writes and what its epilogue adds.
struct TileOut {
  float* c;            // y at (first channel, first pixel)
  int64_t ldc;         // channel stride of y and residual
  const float* res;    // residual at the same place, or null
  const float* bias;   // bias of the first channel, or null
  int64_t rows;        // real channels (1..4)
  bool load_c;         // add what y holds (partial sums of earlier blocks, or the in-place residual)
  bool finish;         // last reduction block: add bias + residual, apply the activation
};

// One micro-tile: NV vectors of pixels (the last masked when MASK) x 4 channels over k reduction steps.
// The accumulators are named variables: GCC keeps a __m256 array in memory and would spill it every step.
template <int NV, bool MASK, int ACT>
void micro(int64_t k, const float* a, const float* b, int64_t ldb, __m256i mask, const TileOut& o,
           const avx2::ActVec& av) {
  static_assert(NV >= 1 && NV <= 3 && kMr == 4, "micro-tile shape");
  __m256 c00 = _mm256_setzero_ps(), c10 = c00, c20 = c00, c30 = c00;
  __m256 c01 = c00, c11 = c00, c21 = c00, c31 = c00;
  __m256 c02 = c00, c12 = c00, c22 = c00, c32 = c00;
  for (int64_t i = 0; i < k; ++i, a += kMr, b += ldb) {
#define C4J_LOAD(v) (MASK && v == NV - 1 ? _mm256_maskload_ps(b + 8 * v, mask) : _mm256_loadu_ps(b + 8 * v))
    const __m256 b0 = C4J_LOAD(0);
    const __m256 b1 = NV > 1 ? C4J_LOAD(1) : b0;
    const __m256 b2 = NV > 2 ? C4J_LOAD(2) : b0;
#undef C4J_LOAD
#define C4J_ROW(r)                                                     \
  {                                                                    \
    const __m256 w = _mm256_broadcast_ss(a + r);                       \
    c##r##0 = _mm256_fmadd_ps(w, b0, c##r##0);                         \
    if constexpr (NV > 1) c##r##1 = _mm256_fmadd_ps(w, b1, c##r##1);   \
    if constexpr (NV > 2) c##r##2 = _mm256_fmadd_ps(w, b2, c##r##2);   \
  }
    C4J_ROW(0) C4J_ROW(1) C4J_ROW(2) C4J_ROW(3)
#undef C4J_ROW
  }
  const __m256 acc[kMr][3] = {{c00, c01, c02}, {c10, c11, c12}, {c20, c21, c22}, {c30, c31, c32}};
  for (int64_t r = 0; r < o.rows; ++r) {
    float* c = o.c + r * o.ldc;
    const float* res = o.res == nullptr ? nullptr : o.res + r * o.ldc;
    for (int v = 0; v < NV; ++v) {
      const bool masked = MASK && v == NV - 1;
      __m256 val = acc[r][v];
      if (o.load_c)
        val = _mm256_add_ps(val, masked ? _mm256_maskload_ps(c + 8 * v, mask) : _mm256_loadu_ps(c + 8 * v));
      if (o.finish) {
        if (o.bias != nullptr) val = _mm256_add_ps(val, _mm256_set1_ps(o.bias[r]));
        if (res != nullptr)
          val = _mm256_add_ps(val, masked ? _mm256_maskload_ps(res + 8 * v, mask) : _mm256_loadu_ps(res + 8 * v));
        val = avx2::act_ps<ACT>(val, av);
      }
      if (masked) {
        _mm256_maskstore_ps(c + 8 * v, mask, val);
      } else {
        _mm256_storeu_ps(c + 8 * v, val);
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
            const __m256 even = _mm256_shuffle_ps(_mm256_loadu_ps(row + 2 * ow), _mm256_loadu_ps(row + 2 * ow + 8),
                                                  _MM_SHUFFLE(2, 0, 2, 0));
            _mm256_storeu_ps(d + ow, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(even), 0xD8)));
          }
        }
        for (; ow < b; ++ow) d[ow] = row[ow * s.sw];
        for (ow = b; ow < ow0 + len; ++ow) d[ow] = 0.f;
      }
      p += len;
    }
  }
}

// Output pixels [p0, p0 + np) of weight panels [q0, q1) of group g of image n, reduction block [k0, k0 + kc)
// with B = b (row k0 first, rows ldb floats apart, pixel p0 first). Each weight panel (in L1) sweeps the pixel
// tiles, so y is written row by row. (Tiles outside, panels inside measured slower: 16->96 at 112x112 stores to
// 96 rows 50 KB apart at once.)
template <int ACT>
void block(const Conv2dPlan& p, const ConvRun& r, int64_t n, int64_t g, int64_t q0, int64_t q1, int64_t k0,
           int64_t kc, int64_t p0, int64_t np, const float* b, int64_t ldb, const avx2::ActVec& av) {
  const ConvShape& s = p.s;
  const int64_t k = s.icg() * s.taps(), ocg = s.ocg(), pixels = s.out_plane();
  const bool finish = k0 + kc == k;
  const int64_t full = np / kNr * kNr, rest = np - full, nv = (rest + 7) / 8;
  const __m256i mask = avx2::tail_mask(rest - 8 * (nv - 1));
  const bool m = rest % 8 != 0;
  const auto tail = nv == 3   ? (m ? micro<3, true, ACT> : micro<3, false, ACT>)
                    : nv == 2 ? (m ? micro<2, true, ACT> : micro<2, false, ACT>)
                              : (m ? micro<1, true, ACT> : micro<1, false, ACT>);
  for (int64_t q = q0; q < q1; ++q) {
    const int64_t oc = g * ocg + q * kMr, off = (n * s.oc + oc) * pixels + p0;
    TileOut o{r.y + off, pixels, finish && r.residual != nullptr ? r.residual + off : nullptr,
              p.bias.empty() ? nullptr : p.bias.data() + oc, std::min(kMr, ocg - q * kMr), k0 > 0 || r.accumulate,
              finish};
    const float* a = p.weight.data() + ((g * panels(s) + q) * k + k0) * kMr;
    for (int64_t j = 0; j < full; j += kNr, o.c += kNr, o.res = o.res == nullptr ? nullptr : o.res + kNr)
      micro<3, false, ACT>(kc, a, b + j, ldb, mask, o, av);
    if (rest > 0) tail(kc, a, b + full, ldb, mask, o, av);
  }
}

// For each (image, group, pixel chunk, panel range) and each reduction block: B from panel(x, k0, kc, p0, np,
// ldb) (null when out of memory), then the block's micro-tiles.
template <typename PanelFn>
int32_t gemm(const Conv2dPlan& p, const ConvRun& r, PanelFn panel) {
  const ConvShape& s = p.s;
  const int64_t k = s.icg() * s.taps(), pixels = s.out_plane(), images = r.batch * s.groups, nq = panels(s);
  const int64_t nkb = (k + kKc - 1) / kKc, kc = (k + nkb - 1) / nkb;  // equal blocks: 300 -> 150 + 150
  int64_t nc = std::min(pixels, std::max(kNr, kBlockFloats / kc / kNr * kNr));
  int64_t chunks = (pixels + nc - 1) / nc;
  // enough work items for every thread: split pixels first (weights are shared), then panels
  const int64_t want = num_threads() == 1 ? 1 : 3 * num_threads();
  if (images * chunks < want) {
    nc = std::min(pixels, std::max(kNr, ceil_div(ceil_div(images * pixels, want), kNr) * kNr));
    chunks = (pixels + nc - 1) / nc;
  }
  const int64_t splits = std::min(nq, std::max<int64_t>(1, ceil_div(want, images * chunks)));
  std::atomic<bool> oom{false};
  avx2::dispatch_act(p.act.act, [&](auto tag) {
    constexpr int ACT = decltype(tag)::value;
    const avx2::ActVec av(p.act);
    parallel_for(images * chunks * splits, [&](int64_t lo, int64_t hi) {
      for (int64_t u = lo; u < hi; ++u) {
        const int64_t split = u % splits, chunk = u / splits % chunks, ng = u / splits / chunks;
        const int64_t n = ng / s.groups, g = ng % s.groups, p0 = chunk * nc, np = std::min(nc, pixels - p0);
        const float* x = r.x + (n * s.ic + g * s.icg()) * s.in_plane();
        for (int64_t k0 = 0; k0 < k; k0 += kc) {
          const int64_t kb = std::min(kc, k - k0);
          int64_t ldb = 0;
          const float* b = panel(x, k0, kb, p0, np, ldb);
          if (b == nullptr) {
            oom = true;
            return;
          }
          block<ACT>(p, r, n, g, nq * split / splits, nq * (split + 1) / splits, k0, kb, p0, np, b, ldb, av);
        }
      }
    });
  });
  return oom ? fail(C4J_ERR_NOMEM, "out of memory for the conv2d im2col panel") : C4J_OK;
}

}  // namespace

void conv2d_im2col_gemm_pack(Conv2dPlan& p, const float* w) {
  const ConvShape& s = p.s;
  const int64_t k = s.icg() * s.taps(), ocg = s.ocg(), nq = panels(s);
  p.weight.assign(static_cast<size_t>(s.groups * nq * k * kMr), 0.f);
  for (int64_t g = 0; g < s.groups; ++g)
    for (int64_t o = 0; o < ocg; ++o)
      for (int64_t i = 0; i < k; ++i)
        p.weight[((g * nq + o / kMr) * k + i) * kMr + o % kMr] = w[(g * ocg + o) * k + i];
}

int32_t conv2d_im2col_gemm_run(const Conv2dPlan& p, const ConvRun& r) {
  const ConvShape& s = p.s;
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
  return gemm(p, r, [&](const float* x, int64_t k0, int64_t, int64_t p0, int64_t, int64_t& ldb) {
    ldb = plane;
    return x + k0 * plane + p0;
  });
}

}  // namespace c4j
