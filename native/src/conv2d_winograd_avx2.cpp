// conv2d WINOGRAD: F(4x4, 3x3), and WINOGRAD_2X2: F(2x2, 3x3), for 3x3 stride-1 dilation-1 convolutions (any
// padding, groups), AVX2/FMA.
//
// Each R x R output tile (R = 4 or 2) comes from a T x T input tile (T = R + 2): Y = A^T [ (G g G^T) .* (B^T d B) ] A
// (Lavin & Gray), which turns 9 R^2 multiplies per tile and channel pair into T^2 (F(4x4): 144 -> 36, F(2x2):
// 36 -> 16). F(2x2) is for small maps: a 7x7 map is 16 of its tiles but only 4 of F(4x4)'s (15 of 64 outputs thrown
// away), and its 16 weight matrices are 1.8x the direct weights where F(4x4)'s 36 are 4x: each weight streamed
// from memory is used for as many tiles. Weights are transformed once at create into T^2 matrices
// U_t, packed in panels of 6 output channels ([panel][icg][6]) for the register-blocked tile GEMM. A run works on
// chunks of whole tile rows of one group, counted over the batch: the input transform writes V_t [icg][tiles], the
// tile GEMM gives M_t = U_t V_t [ocg][tiles] (6 channels x 16 tiles in 12 accumulators; no per-call repacking as an
// SGEMM library would do), and the output transform writes R output rows per tile row, then the epilogue runs on
// them while they are in cache.
// Threads: with enough chunks each thread takes whole chunks (no synchronisation); with few (batch 1 with large
// weights: 256 channels at 14x14, 512 at 7x7) every chunk is split in three parallel phases instead: input channels,
// (t, panel) GEMMs, output channels.
// Transforms are vectorised over 8 horizontally adjacent tiles (rows of 4 tiles: two tile rows at once): input rows
// are read straight from x with their edges masked (on maps wider than 8 tiles, copied zero-extended into scratch
// first: padding is only ever materialised for the T rows a tile row reads), de-interleaved by R in registers.
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "conv2d.h"
#include "epilogue_avx2.h"
#include "shuffle_avx2.h"
#include "thread_pool.h"

namespace c4j {
namespace {

constexpr int64_t kChunkTiles = 96;  // tiles per chunk (whole tile rows): larger GEMMs, V and M near L2 size
// Layers with small transformed weights (U up to 1M floats: 64 and 128 channels) take chunks of about 16 tiles: U,
// read again for every chunk, then comes from L2 or L3 cheaply, while a chunk's V and M (36 x channels x tiles
// each) stay in L2, and a 56x56 map of one image is 14 chunks (3 before), whole chunks per thread. Measured:
// ResNet-50's convolutions chained in C++, alternated in one process, 1 thread: 64->64 at 56x56 977 -> 919 us,
// 128->128 at 28x28 946 -> 877 us (2 threads 543 -> 517); alone, 2 threads: 64->64 at 56x56 566 -> 480 us,
// 128->128 at 112x112 10.2 -> 9.6 ms (1 thread 20.2 -> 19.2); 256 channels and more (U from memory) lost with
// small chunks.
constexpr int64_t kSmallChunkTiles = 16;
constexpr int64_t kSmallWeightFloats = int64_t{1} << 20;

// The tile grid of a run: tw x th tiles of R x R outputs per image. Chunks are runs of tile rows counted over the
// whole batch (image n's row tr is row n * th + tr), so small maps put several images' tiles in one GEMM and the
// transformed weights are read once for all of them.
template <int R>
struct Grid {
  static constexpr int T = R + 2;   // input tile side
  static constexpr int N = T * T;   // transformed matrices
  int64_t tw, th, rows, rows_per_chunk, chunks;
  Grid(const ConvShape& s, int64_t batch)
      : tw((s.ow + R - 1) / R), th((s.oh + R - 1) / R), rows(batch * th),
        rows_per_chunk(std::clamp<int64_t>(
            (N * s.icg() * s.ocg() <= kSmallWeightFloats ? kSmallChunkTiles : kChunkTiles) / tw, 1, rows)),
        chunks((rows + rows_per_chunk - 1) / rows_per_chunk) {}
  int64_t row_floats() const { return R * ((tw + 7) / 8 * 8) + 8; }  // a zero-extended input row, with slack
  // this thread's rows for the transforms: T input rows, or the R output rows of two tile rows (nullptr when out
  // of memory)
  float* row_buffer() const { return scratch(3, static_cast<size_t>(std::max(T, 2 * R) * row_floats())); }
};

constexpr int64_t kPanel = 6;  // output channels per packed weight panel: the GEMM's 6 x 16 register block
// How far ahead of its reads the tile GEMM prefetches the packed weights (floats: 4 KB; consecutive panels and
// matrices are adjacent, so this runs on into the next item's). On small maps each weight serves few tiles and U
// streams from memory (512->512 7x7, cold: F(2x2) 3.2 -> 3.0 ms, F(4x4) batch 8 13.2 -> 11.7); elsewhere neutral.
// Into L2, not L1: U's lines are read once per item; pulled into L1 ahead of use they likely evicted V's rows, which
// every panel of the item reads again. ResNet-50's convolutions chained in C++, alternated in one process, T0 -> T1:
// 256->256 at 14x14 0.91-0.96 ms -> 0.83-0.87, 512->512 at 7x7 1.54-1.58 -> 1.33-1.36, all convolutions 65.2 ->
// 64.0 ms (two threads 38.2 -> 37.6); hot alone unchanged (256 @14 837 / 823 us, 512 @7 1303 / 1300).
constexpr int64_t kPrefetchFloats = 1024;

// Rows of each M_t and of each packed U_t: the group's output channels rounded up to whole panels.
inline int64_t panel_rows(int64_t ocg) { return (ocg + kPanel - 1) / kPanel * kPanel; }

// M[oc0 .. oc0+6)[cols] = U_panel V for one t: u is the panel ([icg][6]), v is V_t ([icg][ld]), m is M_t's row oc0.
// cols is a multiple of 8 (V's columns past the chunk's tiles are slack the input transform wrote; their M columns
// are never read). 6 x 16 block: 2 loads of V and 6 broadcasts of U feed 12 FMAs per input channel.
void gemm_panel(const float* u, const float* v, float* m, int64_t icg, int64_t ld, int64_t cols) {
  int64_t j = 0;
  for (; j + 16 <= cols; j += 16) {
    __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00;
    __m256 a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00;
    const float* vp = v + j;
    const float* up = u;
    for (int64_t ic = 0; ic < icg; ++ic, vp += ld, up += kPanel) {
      _mm_prefetch(reinterpret_cast<const char*>(up + kPrefetchFloats), _MM_HINT_T1);
      const __m256 v0 = _mm256_loadu_ps(vp), v1 = _mm256_loadu_ps(vp + 8);
      __m256 b = _mm256_broadcast_ss(up);
      a00 = _mm256_fmadd_ps(b, v0, a00), a01 = _mm256_fmadd_ps(b, v1, a01);
      b = _mm256_broadcast_ss(up + 1);
      a10 = _mm256_fmadd_ps(b, v0, a10), a11 = _mm256_fmadd_ps(b, v1, a11);
      b = _mm256_broadcast_ss(up + 2);
      a20 = _mm256_fmadd_ps(b, v0, a20), a21 = _mm256_fmadd_ps(b, v1, a21);
      b = _mm256_broadcast_ss(up + 3);
      a30 = _mm256_fmadd_ps(b, v0, a30), a31 = _mm256_fmadd_ps(b, v1, a31);
      b = _mm256_broadcast_ss(up + 4);
      a40 = _mm256_fmadd_ps(b, v0, a40), a41 = _mm256_fmadd_ps(b, v1, a41);
      b = _mm256_broadcast_ss(up + 5);
      a50 = _mm256_fmadd_ps(b, v0, a50), a51 = _mm256_fmadd_ps(b, v1, a51);
    }
    float* mp = m + j;
    _mm256_storeu_ps(mp, a00), _mm256_storeu_ps(mp + 8, a01), mp += ld;
    _mm256_storeu_ps(mp, a10), _mm256_storeu_ps(mp + 8, a11), mp += ld;
    _mm256_storeu_ps(mp, a20), _mm256_storeu_ps(mp + 8, a21), mp += ld;
    _mm256_storeu_ps(mp, a30), _mm256_storeu_ps(mp + 8, a31), mp += ld;
    _mm256_storeu_ps(mp, a40), _mm256_storeu_ps(mp + 8, a41), mp += ld;
    _mm256_storeu_ps(mp, a50), _mm256_storeu_ps(mp + 8, a51);
  }
  if (j < cols) {  // the last 8 columns
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    const float* vp = v + j;
    const float* up = u;
    for (int64_t ic = 0; ic < icg; ++ic, vp += ld, up += kPanel) {
      const __m256 v0 = _mm256_loadu_ps(vp);
      a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(up), v0, a0);
      a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(up + 1), v0, a1);
      a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(up + 2), v0, a2);
      a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(up + 3), v0, a3);
      a4 = _mm256_fmadd_ps(_mm256_broadcast_ss(up + 4), v0, a4);
      a5 = _mm256_fmadd_ps(_mm256_broadcast_ss(up + 5), v0, a5);
    }
    float* mp = m + j;
    _mm256_storeu_ps(mp, a0), _mm256_storeu_ps(mp + ld, a1), _mm256_storeu_ps(mp + 2 * ld, a2);
    _mm256_storeu_ps(mp + 3 * ld, a3), _mm256_storeu_ps(mp + 4 * ld, a4), _mm256_storeu_ps(mp + 5 * ld, a5);
  }
}

// 8 consecutive 4-float groups of 32 floats (v0 v1 v2 v3 in order) as 4 vectors: c[k][l] = float 4l + k.
inline void deinterleave4(__m256 v0, __m256 v1, __m256 v2, __m256 v3, __m256* c) {
  const __m256 t0 = _mm256_unpacklo_ps(v0, v1), t1 = _mm256_unpackhi_ps(v0, v1);
  const __m256 t2 = _mm256_unpacklo_ps(v2, v3), t3 = _mm256_unpackhi_ps(v2, v3);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  c[0] = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), order);
  c[1] = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2)), order);
  c[2] = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), order);
  c[3] = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2)), order);
}

// The inverse: float 4l + k = c[k][l] of 32 floats, the first 16 (tiles 0-3) to lo, the others to hi.
inline void interleave4(const __m256* c, float* lo, float* hi) {
  const __m256i order = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  const __m256 s0 = _mm256_permutevar8x32_ps(c[0], order), s1 = _mm256_permutevar8x32_ps(c[1], order);
  const __m256 s2 = _mm256_permutevar8x32_ps(c[2], order), s3 = _mm256_permutevar8x32_ps(c[3], order);
  const __m256 t0 = _mm256_shuffle_ps(s0, s1, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 t2 = _mm256_shuffle_ps(s0, s1, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 t1 = _mm256_shuffle_ps(s2, s3, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 t3 = _mm256_shuffle_ps(s2, s3, _MM_SHUFFLE(3, 2, 3, 2));
  _mm256_storeu_ps(lo, _mm256_shuffle_ps(t0, t1, _MM_SHUFFLE(2, 0, 2, 0)));
  _mm256_storeu_ps(lo + 8, _mm256_shuffle_ps(t0, t1, _MM_SHUFFLE(3, 1, 3, 1)));
  _mm256_storeu_ps(hi, _mm256_shuffle_ps(t2, t3, _MM_SHUFFLE(2, 0, 2, 0)));
  _mm256_storeu_ps(hi + 8, _mm256_shuffle_ps(t2, t3, _MM_SHUFFLE(3, 1, 3, 1)));
}

// The inverse: float 2l + k = c[k][l] of 16 floats, the first 8 (tiles 0-3) to lo, the others to hi.
inline void interleave2(const __m256* c, float* lo, float* hi) {
  __m256 a, b;
  avx2::interleave(c[0], c[1], a, b);
  _mm256_storeu_ps(lo, a);
  _mm256_storeu_ps(hi, b);
}

// v = B^T d for one T-vector (each element a vector over 8 tiles).
template <int R>
inline void input_1d(const __m256* d, __m256* v) {
  if constexpr (R == 4) {
    const __m256 four = _mm256_set1_ps(4.f), five = _mm256_set1_ps(5.f), two = _mm256_set1_ps(2.f);
    const __m256 a = _mm256_fnmadd_ps(four, d[2], d[4]);  // d4 - 4 d2
    const __m256 b = _mm256_fnmadd_ps(four, d[1], d[3]);  // d3 - 4 d1
    const __m256 c = _mm256_sub_ps(d[4], d[2]), e = _mm256_mul_ps(two, _mm256_sub_ps(d[3], d[1]));
    v[0] = _mm256_fmadd_ps(four, d[0], _mm256_fnmadd_ps(five, d[2], d[4]));
    v[1] = _mm256_add_ps(a, b);
    v[2] = _mm256_sub_ps(a, b);
    v[3] = _mm256_add_ps(c, e);
    v[4] = _mm256_sub_ps(c, e);
    v[5] = _mm256_fmadd_ps(four, d[1], _mm256_fnmadd_ps(five, d[3], d[5]));
  } else {  // B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]
    v[0] = _mm256_sub_ps(d[0], d[2]);
    v[1] = _mm256_add_ps(d[1], d[2]);
    v[2] = _mm256_sub_ps(d[2], d[1]);
    v[3] = _mm256_sub_ps(d[1], d[3]);
  }
}

// y = A^T m for one T-vector: R results.
template <int R>
inline void output_1d(const __m256* m, __m256* y) {
  if constexpr (R == 4) {
    const __m256 two = _mm256_set1_ps(2.f), four = _mm256_set1_ps(4.f), eight = _mm256_set1_ps(8.f);
    const __m256 p12 = _mm256_add_ps(m[1], m[2]), m12 = _mm256_sub_ps(m[1], m[2]);
    const __m256 p34 = _mm256_add_ps(m[3], m[4]), m34 = _mm256_sub_ps(m[3], m[4]);
    y[0] = _mm256_add_ps(_mm256_add_ps(m[0], p12), p34);
    y[1] = _mm256_fmadd_ps(two, m34, m12);
    y[2] = _mm256_fmadd_ps(four, p34, p12);
    y[3] = _mm256_add_ps(_mm256_fmadd_ps(eight, m34, m12), m[5]);
  } else {  // A^T = [1 1 1 0; 0 1 -1 -1]
    y[0] = _mm256_add_ps(_mm256_add_ps(m[0], m[1]), m[2]);
    y[1] = _mm256_sub_ps(_mm256_sub_ps(m[1], m[2]), m[3]);
  }
}

// The 8R floats from a tile row's column 0 (8 tiles of R columns, v[0..8R/8)) as columns 0..T-1 of the 8 tiles:
// d[c][i] = column R i + c. Columns R and R + 1 are columns 0 and 1 of the next tile: a one-lane shift, the last
// lane's from `after` (columns 8R, 8R + 1 of a row of 8 tiles; for two rows of 4 tiles, also lane 3's from `mid`).
template <int R, bool PAIR = false>
inline void tile_columns(const __m256* v, const float* after, const float* mid, __m256* d) {
  const __m256i next = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 0);
  if constexpr (R == 4) {
    deinterleave4(v[0], v[1], v[2], v[3], d);
  } else {
    d[0] = avx2::even(v[0], v[1]);
    d[1] = avx2::odd(v[0], v[1]);
  }
  for (int k = 0; k < 2; ++k) {
    const __m256 last = PAIR ? _mm256_setr_ps(0, 0, 0, mid[k], 0, 0, 0, after[k]) : _mm256_set1_ps(after[k]);
    d[R + k] = _mm256_blend_ps(_mm256_permutevar8x32_ps(d[k], next), last, PAIR ? 0x88 : 0x80);
  }
}

// Columns c .. c + 7 of input row xr (w floats), zero outside it; xr null: a row outside the input, all zero.
inline __m256 x_cols(const float* xr, int64_t c, int64_t w) {
  return xr == nullptr ? _mm256_setzero_ps() : avx2::row_cols(xr, c, w);
}

// Columns c and c + 1 of input row xr, zero outside it.
inline void x_pair(const float* xr, int64_t c, int64_t w, float* out) {
  for (int k = 0; k < 2; ++k) out[k] = xr != nullptr && c + k >= 0 && c + k < w ? xr[c + k] : 0.f;
}

// Output columns 0..R-1 of 8 tiles (c[k][i]) to rows: tiles 0-3 to lo[R i + k], tiles 4-7 to hi[R (i - 4) + k]
// (hi = lo + 4R: one row of 8 tiles).
template <int R>
inline void store_tile_columns(const __m256* c, float* lo, float* hi) {
  if constexpr (R == 4) {
    interleave4(c, lo, hi);
  } else {
    interleave2(c, lo, hi);
  }
}

// B^T d B of 8 tiles, each tile row's columns from cols(r, d) (d[c][i]: column c of tile i's row r), stored to V:
// matrix t = r T + c at out + t * stride.
template <int R, typename Cols>
inline void input_tiles(const Cols& cols, float* out, int64_t stride) {
  constexpr int T = R + 2;
  __m256 h[T][T];  // h[r][c'] = (d B)[r][c'] for 8 tiles
  for (int r = 0; r < T; ++r) {
    __m256 d[T];
    cols(r, d);
    input_1d<R>(d, h[r]);
  }
  for (int c = 0; c < T; ++c) {
    __m256 col[T], o[T];
    for (int r = 0; r < T; ++r) col[r] = h[r][c];
    input_1d<R>(col, o);
    for (int r = 0; r < T; ++r) _mm256_storeu_ps(out + (r * T + c) * stride, o[r]);
  }
}

// V[t][ic][tile] for input channels [ic0, ic1) and tile rows [tr0, tr1) of one group's input x (tiles numbered
// from tr0's first). A vector of 8 tiles past a tile row's end spills into the next tile row's slots (written
// afterwards) or the row's slack.
// Rows of at most 8 tiles (maps up to 32 wide for F(4x4)) are read straight from x, masking the loads at its edges;
// rows of 4 tiles (14x14 for F(4x4), 7x7 for F(2x2)) go two tile rows per vector, which a row alone would fill
// half. One thread, hot, us, both against copying the rows: 256->256 at 14x14 1062 -> 955, 128->128 at 28x28 832
// -> 803, F(2x2) 512->512 at 7x7 1437 -> 1333, 256->256 at 7x7 408 -> 357. Wider rows are copied zero-extended into
// scratch first (aligned loads there; straight from x, 64->64 at 56x56 ran 6% slower).
template <int R>
void input_transform(const ConvShape& s, const Grid<R>& gr, const float* x, int64_t ic0, int64_t ic1, int64_t tr0,
                     int64_t tr1, float* v, int64_t ld, float* rows) {
  constexpr int T = R + 2;
  const int64_t rf = gr.row_floats(), icg = s.icg(), stride = icg * ld;
  const auto x_row = [&](const float* xc, int64_t ih) { return ih < 0 || ih >= s.h ? nullptr : xc + ih * s.w; };
  for (int64_t ic = ic0; ic < ic1; ++ic) {
    const float* xc = x + ic * s.in_plane();
    for (int64_t tr = tr0; tr < tr1; ++tr) {
      float* out = v + ic * ld + (tr - tr0) * gr.tw;
      if (gr.tw == 4 && tr + 1 < tr1) {  // tile rows tr and tr + 1: lanes 0-3 and 4-7
        input_tiles<R>(
            [&](int r, __m256* d) {
              const float* xa = x_row(xc, R * tr - s.pt + r);
              const float* xb = x_row(xc, R * (tr + 1) - s.pt + r);
              __m256 col[4];
              float mid[2], after[2];
              for (int k = 0; k < R / 2; ++k) {
                col[k] = x_cols(xa, 8 * k - s.pl, s.w);
                col[R / 2 + k] = x_cols(xb, 8 * k - s.pl, s.w);
              }
              x_pair(xa, 4 * R - s.pl, s.w, mid);
              x_pair(xb, 4 * R - s.pl, s.w, after);
              tile_columns<R, true>(col, after, mid, d);
            },
            out, stride);
        ++tr;
        continue;
      }
      if (gr.tw <= 8) {
        input_tiles<R>(
            [&](int r, __m256* d) {
              const float* xr = x_row(xc, R * tr - s.pt + r);
              __m256 col[4];
              float after[2];
              for (int k = 0; k < R; ++k) col[k] = x_cols(xr, 8 * k - s.pl, s.w);
              x_pair(xr, 8 * R - s.pl, s.w, after);
              tile_columns<R>(col, after, nullptr, d);
            },
            out, stride);
        continue;
      }
      // the T input rows of this tile row, zero-extended: rows[r][j] = x[R tr - pt + r][j - pl]
      for (int64_t r = 0; r < T; ++r) {
        float* dst = rows + r * rf;
        const int64_t ih = R * tr - s.pt + r;
        if (ih < 0 || ih >= s.h) {
          std::memset(dst, 0, sizeof(float) * rf);
          continue;
        }
        // only the padding is zeroed: the row itself is written once
        const int64_t a = std::min(s.pl, rf), n = std::clamp<int64_t>(rf - a, 0, s.w);
        for (int64_t j = 0; j < a; ++j) dst[j] = 0.f;
        std::memcpy(dst + a, xc + ih * s.w, sizeof(float) * n);
        for (int64_t j = a + n; j < rf; ++j) dst[j] = 0.f;
      }
      for (int64_t t0 = 0; t0 < gr.tw; t0 += 8) {
        input_tiles<R>(
            [&](int r, __m256* d) {
              const float* q = rows + r * rf + R * t0;
              __m256 col[4];
              for (int k = 0; k < R; ++k) col[k] = _mm256_loadu_ps(q + 8 * k);
              tile_columns<R>(col, q + 8 * R, nullptr, d);
            },
            out + t0, stride);
      }
    }
  }
}

// Output tile rows [tr0, tr1) of the group's channels [oc_lo, oc_hi) from M[t][oc][tile] (M_t has mrows rows);
// then the epilogue on them. oc0: the group's first channel in y. Rows of 4 tiles go two tile rows per vector, as
// in input_transform.
template <int R>
void output_transform(const Conv2dPlan& p, const Grid<R>& gr, const float* m, int64_t ld, int64_t tr0, int64_t tr1,
                      float* y, const float* res, int64_t oc0, int64_t oc_lo, int64_t oc_hi, bool accumulate,
                      float* rows) {
  constexpr int T = R + 2;
  const ConvShape& s = p.s;
  const int64_t mrows = panel_rows(s.ocg()), rf = gr.row_floats(), plane = s.out_plane();
  for (int64_t oc = oc_lo; oc < oc_hi; ++oc) {
    for (int64_t tr = tr0; tr < tr1;) {
      const int64_t pair = gr.tw == 4 && tr + 1 < tr1 ? 1 : 0;  // tile rows tr and tr + 1 in lanes 0-3 and 4-7
      const float* in = m + oc * ld + (tr - tr0) * gr.tw;
      for (int64_t t0 = 0; t0 < gr.tw; t0 += 8) {
        __m256 w[R][T];  // (A^T M)[r''][c']
        for (int c = 0; c < T; ++c) {
          __m256 col[T], o[R];
          for (int r = 0; r < T; ++r) col[r] = _mm256_loadu_ps(in + (r * T + c) * mrows * ld + t0);
          output_1d<R>(col, o);
          for (int r = 0; r < R; ++r) w[r][c] = o[r];
        }
        for (int r = 0; r < R; ++r) {
          __m256 o[R];
          output_1d<R>(w[r], o);
          float* lo = rows + r * rf + R * t0;
          store_tile_columns<R>(o, lo, pair ? rows + (R + r) * rf : lo + 4 * R);
        }
      }
      // rows[j] is output row R tr + j: the tile rows' output rows, clipped to the output
      const int64_t oh0 = R * tr, nrows = std::min<int64_t>(R * (1 + pair), s.oh - oh0);
      float* yo = y + (oc0 + oc) * plane + oh0 * s.ow;
      for (int64_t r = 0; r < nrows; ++r) {
        float* dst = yo + r * s.ow;
        const float* src = rows + r * rf;
        if (accumulate) {
          for (int64_t i = 0; i < s.ow; ++i) dst[i] += src[i];
        } else {
          std::memcpy(dst, src, sizeof(float) * s.ow);
        }
      }
      // the rows are consecutive in one channel: one span for the epilogue
      conv2d_epilogue_rows(p, yo, res == nullptr ? nullptr : res + (oc0 + oc) * plane + oh0 * s.ow, oc0 + oc, 1,
                           nrows * s.ow, 0);
      tr += 1 + pair;
    }
  }
}

// U_t = (G g G^T)[t] per (group, oc, ic), laid out [group][t][panel][icg][6] for the tile GEMM (output channels
// past ocg in the last panel are zero); computed in double.
template <int R>
void pack(Conv2dPlan& p, const float* w) {
  constexpr int T = R + 2;
  static const double G4[6][3] = {{1.0 / 4, 0, 0},           {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                  {-1.0 / 6, 1.0 / 6, -1.0 / 6}, {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                  {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};
  static const double G2[4][3] = {{1, 0, 0}, {0.5, 0.5, 0.5}, {0.5, -0.5, 0.5}, {0, 0, 1}};
  const auto G = [](int i, int j) { return R == 4 ? G4[i][j] : G2[i][j]; };
  const ConvShape& s = p.s;
  const int64_t icg = s.icg(), ocg = s.ocg(), mrows = panel_rows(ocg);
  p.weight.assign(static_cast<size_t>(s.groups * T * T * mrows * icg), 0.f);
  for (int64_t g = 0; g < s.groups; ++g) {
    for (int64_t oc = 0; oc < ocg; ++oc) {
      for (int64_t ic = 0; ic < icg; ++ic) {
        const float* k = w + ((g * ocg + oc) * icg + ic) * 9;
        double gk[T][3];  // G g
        for (int i = 0; i < T; ++i)
          for (int j = 0; j < 3; ++j) gk[i][j] = G(i, 0) * k[j] + G(i, 1) * k[3 + j] + G(i, 2) * k[6 + j];
        for (int i = 0; i < T; ++i)
          for (int j = 0; j < T; ++j) {
            const double u = gk[i][0] * G(j, 0) + gk[i][1] * G(j, 1) + gk[i][2] * G(j, 2);
            const int64_t panel = oc / kPanel, lane = oc % kPanel;
            p.weight[(((g * T * T + i * T + j) * mrows + panel * kPanel) * icg + ic * kPanel) + lane] =
                static_cast<float>(u);
          }
      }
    }
  }
}

// One chunk: global tile rows [q0, q1) of group g; V and M column (q - q0) * tw + i is tile i of row q.
struct Chunk {
  int64_t g, q0, q1;
  template <int R>
  Chunk(const Grid<R>& gr, int64_t u)
      : g(u / gr.chunks), q0((u % gr.chunks) * gr.rows_per_chunk), q1(std::min(gr.rows, q0 + gr.rows_per_chunk)) {}
  // fn(n, tr0, tr1, col): the chunk's rows in image n are [tr0, tr1), starting at V/M column col; images in order
  template <int R, typename F>
  void each_image(const Grid<R>& gr, const F& fn) const {
    for (int64_t n = q0 / gr.th; n * gr.th < q1; ++n) {
      const int64_t a = std::max(q0, n * gr.th), b = std::min(q1, (n + 1) * gr.th);
      fn(n, a - n * gr.th, b - n * gr.th, (a - q0) * gr.tw);
    }
  }
};

// The three phases of a chunk, each over a range of its own work items.
template <int R>
struct Phases {
  static constexpr int N = Grid<R>::N;
  const Conv2dPlan& p;
  const ConvRun& r;
  const Grid<R>& gr;
  int64_t ld;
  const ConvShape& s() const { return p.s; }
  int64_t panels() const { return panel_rows(s().ocg()) / kPanel; }

  // image by image: a row's vector stores spill up to 7 columns into the next image's, which it then overwrites
  void input(const Chunk& c, int64_t ic0, int64_t ic1, float* v, float* rows) const {
    c.each_image(gr, [&](int64_t n, int64_t tr0, int64_t tr1, int64_t col) {
      input_transform<R>(s(), gr, r.x + (n * s().ic + c.g * s().icg()) * s().in_plane(), ic0, ic1, tr0, tr1,
                         v + col, ld, rows);
    });
  }
  // items: (t, panel) pairs, t-major
  void gemm(const Chunk& c, int64_t lo, int64_t hi, const float* v, float* m) const {
    const int64_t icg = s().icg(), mrows = panel_rows(s().ocg());
    const int64_t cols = ((c.q1 - c.q0) * gr.tw + 7) / 8 * 8;
    for (int64_t item = lo; item < hi; ++item) {
      const int64_t t = item / panels(), panel = item % panels();
      gemm_panel(p.weight.data() + ((c.g * N + t) * mrows + panel * kPanel) * icg, v + t * icg * ld,
                 m + (t * mrows + panel * kPanel) * ld, icg, ld, cols);
    }
  }
  void output(const Chunk& c, int64_t oc_lo, int64_t oc_hi, const float* m, float* rows) const {
    c.each_image(gr, [&](int64_t n, int64_t tr0, int64_t tr1, int64_t col) {
      const int64_t image = n * s().oc * s().out_plane();
      output_transform<R>(p, gr, m + col, ld, tr0, tr1, r.y + image,
                          r.residual == nullptr ? nullptr : r.residual + image, c.g * s().ocg(), oc_lo, oc_hi,
                          r.accumulate, rows);
    });
  }
};

template <int R>
int32_t run(const Conv2dPlan& p, const ConvRun& r) {
  constexpr int N = Grid<R>::N;
  const ConvShape& s = p.s;
  const Grid<R> gr(s, r.batch);
  const int64_t icg = s.icg(), ocg = s.ocg(), mrows = panel_rows(ocg), units = s.groups * gr.chunks;
  // rows of V and M hold a chunk's tiles plus 8 of slack: the vector of the last tiles of a row runs past them
  const int64_t ld = gr.rows_per_chunk * gr.tw + 8;
  const size_t v_floats = static_cast<size_t>(N * icg * ld), m_floats = static_cast<size_t>(N * mrows * ld);
  const Phases<R> ph{p, r, gr, ld};
  std::atomic<bool> oom{false};
  if (units >= 2 * num_threads()) {  // whole chunks per thread
    parallel_for(units, [&](int64_t lo, int64_t hi) {
      float* v = scratch(1, v_floats);
      float* m = scratch(2, m_floats);
      float* rows = gr.row_buffer();
      if (v == nullptr || m == nullptr || rows == nullptr) {
        oom = true;
        return;
      }
      for (int64_t u = lo; u < hi; ++u) {
        const Chunk c(gr, u);
        ph.input(c, 0, icg, v, rows);
        ph.gemm(c, 0, N * ph.panels(), v, m);
        ph.output(c, 0, ocg, m, rows);
      }
    });
  } else {  // few chunks: each one split across the threads, phase by phase, on this thread's V and M
    float* v = scratch(1, v_floats);
    float* m = scratch(2, m_floats);
    if (v == nullptr || m == nullptr) return fail(C4J_ERR_NOMEM, "out of memory for the conv2d Winograd buffers");
    for (int64_t u = 0; u < units && !oom; ++u) {
      const Chunk c(gr, u);
      parallel_for(icg, [&](int64_t lo, int64_t hi) {
        float* rows = gr.row_buffer();
        if (rows == nullptr) oom = true; else ph.input(c, lo, hi, v, rows);
      });
      parallel_for(N * ph.panels(), [&](int64_t lo, int64_t hi) { ph.gemm(c, lo, hi, v, m); });
      parallel_for(ocg, [&](int64_t lo, int64_t hi) {
        float* rows = gr.row_buffer();
        if (rows == nullptr) oom = true; else ph.output(c, lo, hi, m, rows);
      });
    }
  }
  return oom ? fail(C4J_ERR_NOMEM, "out of memory for the conv2d Winograd buffers") : C4J_OK;
}

}  // namespace

void conv2d_winograd_pack(Conv2dPlan& p, const float* w) {
  if (p.algo == C4J_ALGO_WINOGRAD_2X2) {
    pack<2>(p, w);
  } else {
    pack<4>(p, w);
  }
}

int32_t conv2d_winograd_run(const Conv2dPlan& p, const ConvRun& r) {
  return p.algo == C4J_ALGO_WINOGRAD_2X2 ? run<2>(p, r) : run<4>(p, r);
}

}  // namespace c4j
