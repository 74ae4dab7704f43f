// conv_transpose2d by sub-pixel (phase) decomposition: no zero-stuffing, no column panel, no col2im.
//
// Output row oh with oh + pt = sh*q + rh only receives the kernel rows ki of phase rh (ki*dh = rh mod sh), from
// input rows q - e(ki); likewise along the width. So each of the sh*sw output phases is a stride-1 correlation
// of the input with a sub-kernel (4x4 s2: four 2x2; 3x3 s2: 2x2, 2x1, 1x2, 1x1), and every output pixel is
// summed once, in registers.
//
// The input is first copied channels-last ([row][col][icg], zero columns left and right), so a tile's
// broadcasts for consecutive input channels walk contiguous memory. A tile keeps 8*NV output channels x NP
// consecutive phase pixels of one output row in NV*NP ymm accumulators (16 x 6 = 12 registers); each step
// (tap, ic) loads NV weight vectors and broadcasts NP inputs. Weights are packed per (group, 16-channel block,
// phase) as [ki][kj][ic][16]. Rows skip the kernel rows that fall outside the input; columns read the zero
// pad. Bias and activation are applied in registers; tiles store each pixel's 16 channels into a channels-last
// staging row, which 4x4 transposes then write to y (instead of a scalar scatter to stride-sw columns).
// 1 thread, 3x3 s2 p1 op1 128->64 @28 and 4x4 s2 p1 256->128 @14 run at ~88-91% of this machine's FMA peak
// (42-43 of 47.5 GMAC/s); tiles spanning two rows (fuller 6-pixel tiles on 14-wide phases) measured no gain.
#include <immintrin.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstring>
#include <utility>

#include "conv_transpose2d.h"
#include "epilogue_avx2.h"
#include "thread_pool.h"

namespace c4j {
namespace {

constexpr int64_t kBlock = 16;  // output channels per packed weight block
constexpr int kTile = 6;        // phase pixels per full tile

// The phases of one axis with stride s, dilation d, kernel size k.
PhaseAxis make_axis(int64_t s, int64_t d, int64_t k) {
  PhaseAxis a;
  a.start.assign(static_cast<size_t>(s + 1), 0);
  for (int64_t r = 0; r < s; ++r) {
    for (int64_t ki = 0; ki < k; ++ki) {
      if ((ki * d) % s == r) a.k.push_back(ki), a.e.push_back((ki * d - r) / s);
    }
    a.start[r + 1] = static_cast<int64_t>(a.k.size());
  }
  return a;
}

// Phase r of an axis: output indices t = s*q + r - pad for q in [lo, hi) lie in [0, out).
struct QRange {
  int64_t lo, hi;
};
QRange q_range(int64_t out, int64_t s, int64_t pad, int64_t r) {
  const int64_t lo = pad >= r ? (pad - r + s - 1) / s : 0;
  const int64_t hi = out - 1 + pad - r < 0 ? 0 : (out - 1 + pad - r) / s + 1;
  return {lo, std::max(lo, hi)};
}

// Where one tile reads and writes.
struct Tile {
  const float* x;      // channels-last input of the group at (row 0, padded column of the tile's pixel 0)
  int64_t row_pitch;   // floats per input row (padded width * icg)
  int64_t icg;
  int64_t q;           // the phase row
  const int64_t* eh;   // row offsets of the tile's kernel rows, nh of them
  int64_t nh;
  const int64_t* ew;   // column offsets of the phase's kernel columns, nw of them
  int64_t nw;
  const float* w;      // packed weights of the first kernel row used
  const float* bias;   // 16 floats (zeros past the real channels)
  float* out;          // the staging row at the tile's first pixel: [output column][16 channels]
  int64_t ostride;     // floats between the tile's pixels there (16 * sw)
};

// One tile: NV weight vectors x NP pixels, activation ACT. The accumulators are named variables (an array would
// live in memory under GCC -O3).
template <int NV, int NP, int ACT>
void tile(const Tile& t, const avx2::ActVec& av) {
  static_assert(NV >= 1 && NV <= 2 && NP >= 1 && NP <= kTile, "tile size");
  __m256 a00 = _mm256_setzero_ps(), a01 = a00, a02 = a00, a03 = a00, a04 = a00, a05 = a00;
  __m256 a10 = a00, a11 = a00, a12 = a00, a13 = a00, a14 = a00, a15 = a00;
  const int64_t icg = t.icg, lanes = 8 * NV;
  const float* wp = t.w;
  for (int64_t i = 0; i < t.nh; ++i) {
    const float* xr = t.x + (t.q - t.eh[i]) * t.row_pitch;
    for (int64_t j = 0; j < t.nw; ++j) {
      const float* xp = xr - t.ew[j] * icg;
      for (const float* wend = wp + icg * lanes; wp != wend; ++xp, wp += lanes) {  // over ic
        const __m256 w0 = _mm256_loadu_ps(wp), w1 = NV > 1 ? _mm256_loadu_ps(wp + 8) : w0;
#define C4J_STEP(j)                                               \
  if constexpr (NP > j) {                                         \
    const __m256 b = _mm256_broadcast_ss(xp + j * icg);           \
    a0##j = _mm256_fmadd_ps(w0, b, a0##j);                        \
    if constexpr (NV > 1) a1##j = _mm256_fmadd_ps(w1, b, a1##j);  \
  }
        C4J_STEP(0) C4J_STEP(1) C4J_STEP(2) C4J_STEP(3) C4J_STEP(4) C4J_STEP(5)
#undef C4J_STEP
      }
    }
  }
  // epilogue in registers; each pixel's channels go to its column of the staging row
  const __m256 b0 = _mm256_loadu_ps(t.bias), b1 = _mm256_loadu_ps(t.bias + 8);
#define C4J_OUT(j)                                                                                        \
  if constexpr (NP > j) {                                                                                 \
    _mm256_storeu_ps(t.out + j * t.ostride, avx2::act_ps<ACT>(_mm256_add_ps(a0##j, b0), av));             \
    if constexpr (NV > 1)                                                                                 \
      _mm256_storeu_ps(t.out + j * t.ostride + 8, avx2::act_ps<ACT>(_mm256_add_ps(a1##j, b1), av));       \
  }
  C4J_OUT(0) C4J_OUT(1) C4J_OUT(2) C4J_OUT(3) C4J_OUT(4) C4J_OUT(5)
#undef C4J_OUT
}

using TileFn = void (*)(const Tile&, const avx2::ActVec&);

template <int NV, int ACT, int... NP>
constexpr std::array<TileFn, sizeof...(NP)> tiles(std::integer_sequence<int, NP...>) {
  return {&tile<NV, NP + 1, ACT>...};
}

// tile functions by [NV - 1][NP - 1]
template <int ACT>
const std::array<std::array<TileFn, kTile>, 2> kTiles = {tiles<1, ACT>(std::make_integer_sequence<int, kTile>()),
                                                         tiles<2, ACT>(std::make_integer_sequence<int, kTile>())};

// Offset (in taps) of phase (rh, rw) inside a block's packing: phases in row-major order.
int64_t phase_tap0(const ConvTranspose2dPlan& p, int64_t rh, int64_t rw) {
  int64_t t = 0;
  for (int64_t r = 0; r < rh * p.sw + rw; ++r) t += p.rows.taps(r / p.sw) * p.cols.taps(r % p.sw);
  return t;
}

int64_t padded_w(const ConvTranspose2dPlan& p) { return p.pad_l + p.w + p.pad_r; }

// dst[c * dst_ld + r] = src[r * src_ld + c] for r < rows, c < cols, by 4x4 SSE transposes.
void transpose(const float* src, int64_t src_ld, float* dst, int64_t dst_ld, int64_t rows, int64_t cols) {
  const int64_t r4 = rows / 4 * 4, c4 = cols / 4 * 4;
  for (int64_t r = 0; r < r4; r += 4) {
    const float* s = src + r * src_ld;
    for (int64_t c = 0; c < c4; c += 4) {
      __m128 v0 = _mm_loadu_ps(s + c), v1 = _mm_loadu_ps(s + src_ld + c);
      __m128 v2 = _mm_loadu_ps(s + 2 * src_ld + c), v3 = _mm_loadu_ps(s + 3 * src_ld + c);
      _MM_TRANSPOSE4_PS(v0, v1, v2, v3);
      float* d = dst + c * dst_ld + r;
      _mm_storeu_ps(d, v0), _mm_storeu_ps(d + dst_ld, v1), _mm_storeu_ps(d + 2 * dst_ld, v2);
      _mm_storeu_ps(d + 3 * dst_ld, v3);
    }
    for (int64_t c = c4; c < cols; ++c)
      for (int64_t k = 0; k < 4; ++k) dst[c * dst_ld + r + k] = s[k * src_ld + c];
  }
  for (int64_t r = r4; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) dst[c * dst_ld + r] = src[r * src_ld + c];
}

// Rows [r0, r1) of image-group ng, NCHW -> channels-last with zero columns: dst[row][pad_l + col][ic].
void to_channels_last(const ConvTranspose2dPlan& p, const float* x, float* dst, int64_t r0, int64_t r1) {
  const int64_t icg = p.icg(), wp = padded_w(p);
  for (int64_t r = r0; r < r1; ++r) {
    float* row = dst + r * wp * icg;
    std::memset(row, 0, sizeof(float) * p.pad_l * icg);
    std::memset(row + (p.pad_l + p.w) * icg, 0, sizeof(float) * p.pad_r * icg);
    transpose(x + r * p.w, p.in_plane(), row + p.pad_l * icg, icg, icg, p.w);
  }
}

struct Work {
  const ConvTranspose2dPlan& p;
  const float* xc;  // channels-last copies of every image-group
  float* y;
};

// Output rows [oh0, oh1) of blocks [blk0, blk1) of image-group ng; false when out of memory.
template <int ACT>
bool rows(const Work& wk, int64_t ng, int64_t blk0, int64_t blk1, int64_t oh0, int64_t oh1) {
  const ConvTranspose2dPlan& p = wk.p;
  const int64_t icg = p.icg(), ocg = p.ocg(), ocg8 = (ocg + 7) / 8 * 8, K = icg * p.taps(), g = ng % p.groups;
  const int64_t wp = padded_w(p), oplane = p.out_plane();
  const float* xc = wk.xc + ng * p.h * wp * icg;
  float* y = wk.y + (ng / p.groups * p.oc + g * ocg) * oplane;
  const avx2::ActVec av(p.act);
  alignas(32) float bias[kBlock];
  float* stage = scratch(2, static_cast<size_t>(p.ow * kBlock));  // one output row of a block, channels-last
  if (stage == nullptr) return false;
  for (int64_t blk = blk0; blk < blk1; ++blk) {
    const int64_t oc0 = blk * kBlock, nout = std::min(kBlock, ocg - oc0), lanes = nout > 8 ? 16 : 8;
    for (int64_t c = 0; c < kBlock; ++c) bias[c] = c < nout && !p.bias.empty() ? p.bias[g * ocg + oc0 + c] : 0.f;
    const float* wb = p.weight.data() + (g * ocg8 + oc0) * K;
    const auto& fns = kTiles<ACT>[lanes / 8 - 1];
    // rows of one phase together: that phase's weights stay in cache across them
    for (int64_t rh = 0; rh < p.sh; ++rh) {
      const int64_t first = oh0 + ((rh - (oh0 + p.pt) % p.sh) % p.sh + p.sh) % p.sh;
      const int64_t h0 = p.rows.start[rh], nh_all = p.rows.taps(rh);
      for (int64_t oh = first; oh < oh1; oh += p.sh) {
        const int64_t q = (oh + p.pt) / p.sh;
        // kernel rows reading input rows q - e in [0, h): e in (q - h, q], a contiguous run of ascending e
        int64_t a = 0, b = nh_all;
        while (a < b && p.rows.e[h0 + a] <= q - p.h) ++a;
        while (b > a && p.rows.e[h0 + b - 1] > q) --b;
        for (int64_t rw = 0; rw < p.sw; ++rw) {
          const QRange qr = q_range(p.ow, p.sw, p.pl, rw);
          const int64_t n = qr.hi - qr.lo, nw = p.cols.taps(rw);
          if (n == 0) continue;
          const float* wph = wb + phase_tap0(p, rh, rw) * icg * lanes + a * nw * icg * lanes;
          const int64_t ntiles = (n + kTile - 1) / kTile;  // equal tiles: 7 pixels -> 4 + 3, not 6 + 1
          for (int64_t ti = 0; ti < ntiles; ++ti) {
            const int64_t j0 = qr.lo + n * ti / ntiles, np = n * (ti + 1) / ntiles - (n * ti / ntiles);
            const Tile t{xc + (p.pad_l + j0) * icg, wp * icg, icg, q,
                         p.rows.e.data() + h0 + a, b - a,
                         p.cols.e.data() + p.cols.start[rw], nw,
                         wph, bias, stage + (p.sw * j0 + rw - p.pl) * kBlock, p.sw * kBlock};
            fns[np - 1](t, av);
          }
        }
        transpose(stage, kBlock, y + oc0 * oplane + oh * p.ow, oplane, p.ow, nout);
      }
    }
  }
  return true;
}

}  // namespace

void conv_transpose2d_phase_pack(ConvTranspose2dPlan& p, const float* w) {
  p.rows = make_axis(p.sh, p.dh, p.kh);
  p.cols = make_axis(p.sw, p.dw, p.kw);
  // zero columns so every phase pixel's taps land inside the copy: iw = q - e over q in the phase's range
  int64_t lo = 0, hi = p.w - 1;
  for (int64_t rw = 0; rw < p.sw; ++rw) {
    const QRange qr = q_range(p.ow, p.sw, p.pl, rw);
    if (qr.hi == qr.lo || p.cols.taps(rw) == 0) continue;
    const int64_t e0 = p.cols.e[p.cols.start[rw]], e1 = p.cols.e[p.cols.start[rw + 1] - 1];
    lo = std::min(lo, qr.lo - e1), hi = std::max(hi, qr.hi - 1 - e0);
  }
  p.pad_l = -lo, p.pad_r = hi - (p.w - 1);
  const int64_t icg = p.icg(), ocg = p.ocg(), ocg8 = (ocg + 7) / 8 * 8, K = icg * p.taps(), m = ocg * p.taps();
  p.weight.assign(static_cast<size_t>(p.groups * ocg8 * K), 0.f);
  for (int64_t g = 0; g < p.groups; ++g) {
    for (int64_t oc0 = 0; oc0 < ocg; oc0 += kBlock) {
      const int64_t nout = std::min(kBlock, ocg - oc0), lanes = nout > 8 ? 16 : 8;
      float* blk = p.weight.data() + (g * ocg8 + oc0) * K;
      for (int64_t rh = 0; rh < p.sh; ++rh) {
        for (int64_t rw = 0; rw < p.sw; ++rw) {
          float* dst = blk + phase_tap0(p, rh, rw) * icg * lanes;
          const int64_t nh = p.rows.taps(rh), nw = p.cols.taps(rw);
          for (int64_t i = 0; i < nh; ++i) {
            for (int64_t j = 0; j < nw; ++j) {
              const int64_t tap = p.rows.k[p.rows.start[rh] + i] * p.kw + p.cols.k[p.cols.start[rw] + j];
              for (int64_t ic = 0; ic < icg; ++ic)
                for (int64_t c = 0; c < nout; ++c)  // IOHW: [g*icg + ic][oc][kh][kw]
                  dst[((i * nw + j) * icg + ic) * lanes + c] = w[(g * icg + ic) * m + (oc0 + c) * p.taps() + tap];
            }
          }
        }
      }
    }
  }
  p.phase = true;
}

int32_t conv_transpose2d_phase_run(const ConvTranspose2dPlan& p, int64_t batch, const float* x, float* y) {
  const int64_t images = batch * p.groups, icg = p.icg(), wp = padded_w(p);
  float* xc = scratch(1, static_cast<size_t>(images * p.h * wp * icg));
  if (xc == nullptr) return fail(C4J_ERR_NOMEM, "out of memory for the conv_transpose2d channels-last input");
  parallel_for(images * p.h, icg * wp, [&](int64_t lo, int64_t hi) {
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t ng = u / p.h, r = u % p.h;
      const float* src = x + (ng / p.groups * p.ic + ng % p.groups * icg) * p.in_plane();
      to_channels_last(p, src, xc + ng * p.h * wp * icg, r, r + 1);
    }
  });
  // work items: (image-group, channel-block range, row band); blocks are split before rows (disjoint weights),
  // and only as far as needed to give every thread ~8 items: fewer, uneven items (8 blocks in 6 ranges) left
  // 4x4 s2 256->128 @14 at 1.43 ms on 2 threads against 1.37 ms with 8 blocks x 2 bands (1 thread: 2.37 ms)
  const int64_t want = kWorkItemsPerThread * num_threads(), blocks = (p.ocg() + kBlock - 1) / kBlock;
  const int64_t splits = std::min(blocks, std::max<int64_t>(1, (want + images - 1) / images));
  const int64_t bands = std::min(p.oh, std::max<int64_t>(1, (want + images * splits - 1) / (images * splits)));
  const Work wk{p, xc, y};
  std::atomic<bool> oom{false};
  avx2::dispatch_act(p.act.act, [&](auto tag) {
    constexpr int ACT = decltype(tag)::value;
    parallel_for(images * splits * bands, [&](int64_t lo, int64_t hi) {
      for (int64_t u = lo; u < hi && !oom; ++u) {
        const int64_t band = u % bands, split = u / bands % splits, ng = u / bands / splits;
        if (!rows<ACT>(wk, ng, blocks * split / splits, blocks * (split + 1) / splits, p.oh * band / bands,
                       p.oh * (band + 1) / bands))
          oom = true;
      }
    });
  });
  return oom ? fail(C4J_ERR_NOMEM, "out of memory for the conv_transpose2d staging row") : C4J_OK;
}

}  // namespace c4j
