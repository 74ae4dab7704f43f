// conv2d WINOGRAD: F(4x4, 3x3) for 3x3 stride-1 dilation-1 convolutions (any padding, groups), AVX2/FMA + SGEMM.
//
// Each 4x4 output tile comes from a 6x6 input tile: Y = A^T [ (G g G^T) .* (B^T d B) ] A (Lavin & Gray), which
// turns 144 multiplies per tile and channel pair into 36. Weights are transformed once at create into 36 matrices
// U_t [ocg][icg]. A run works on chunks of whole tile rows of one image and group: the input transform writes
// V_t [icg][tiles], 36 single-threaded SGEMMs give M_t = U_t V_t [ocg][tiles], and the output transform writes
// 4 output rows per tile row, then the epilogue runs on them while they are in cache.
// Transforms are vectorised over 8 horizontally adjacent tiles: a tile row's input rows are copied zero-extended
// (padding is only ever materialised for the 6 rows a tile row reads), and de-interleaved by 4 in registers.
#include <cblas.h>
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "conv2d.h"
#include "thread_pool.h"

namespace c4j {
namespace {

constexpr int64_t kChunkTiles = 96;  // tiles per chunk (whole tile rows): larger SGEMMs, V and M near L2 size

// The tile grid of a plan: tw x th tiles of 4x4 outputs.
struct Grid {
  int64_t tw, th, rows_per_chunk, chunks;
  explicit Grid(const ConvShape& s)
      : tw((s.ow + 3) / 4), th((s.oh + 3) / 4),
        rows_per_chunk(std::clamp<int64_t>(kChunkTiles / tw, 1, th)),
        chunks((th + rows_per_chunk - 1) / rows_per_chunk) {}
  int64_t row_floats() const { return 4 * ((tw + 7) / 8 * 8) + 8; }  // a zero-extended input row, with slack
};

// 8 consecutive 4-float groups of p (p[0..31]) as 4 vectors: c[k][l] = p[4l + k].
inline void deinterleave4(const float* p, __m256* c) {
  const __m256 v0 = _mm256_loadu_ps(p), v1 = _mm256_loadu_ps(p + 8), v2 = _mm256_loadu_ps(p + 16),
               v3 = _mm256_loadu_ps(p + 24);
  const __m256 t0 = _mm256_unpacklo_ps(v0, v1), t1 = _mm256_unpackhi_ps(v0, v1);
  const __m256 t2 = _mm256_unpacklo_ps(v2, v3), t3 = _mm256_unpackhi_ps(v2, v3);
  const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
  c[0] = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), order);
  c[1] = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2)), order);
  c[2] = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), order);
  c[3] = _mm256_permutevar8x32_ps(_mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2)), order);
}

// The inverse: p[4l + k] = c[k][l] for 32 floats.
inline void interleave4(const __m256* c, float* p) {
  const __m256i order = _mm256_setr_epi32(0, 2, 4, 6, 1, 3, 5, 7);
  const __m256 s0 = _mm256_permutevar8x32_ps(c[0], order), s1 = _mm256_permutevar8x32_ps(c[1], order);
  const __m256 s2 = _mm256_permutevar8x32_ps(c[2], order), s3 = _mm256_permutevar8x32_ps(c[3], order);
  const __m256 t0 = _mm256_shuffle_ps(s0, s1, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 t2 = _mm256_shuffle_ps(s0, s1, _MM_SHUFFLE(3, 2, 3, 2));
  const __m256 t1 = _mm256_shuffle_ps(s2, s3, _MM_SHUFFLE(1, 0, 1, 0));
  const __m256 t3 = _mm256_shuffle_ps(s2, s3, _MM_SHUFFLE(3, 2, 3, 2));
  _mm256_storeu_ps(p, _mm256_shuffle_ps(t0, t1, _MM_SHUFFLE(2, 0, 2, 0)));
  _mm256_storeu_ps(p + 8, _mm256_shuffle_ps(t0, t1, _MM_SHUFFLE(3, 1, 3, 1)));
  _mm256_storeu_ps(p + 16, _mm256_shuffle_ps(t2, t3, _MM_SHUFFLE(2, 0, 2, 0)));
  _mm256_storeu_ps(p + 24, _mm256_shuffle_ps(t2, t3, _MM_SHUFFLE(3, 1, 3, 1)));
}

// v = B^T d for one 6-vector (each element a vector over 8 tiles).
inline void input_1d(const __m256* d, __m256* v) {
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
}

// y = A^T m for one 6-vector: 4 results.
inline void output_1d(const __m256* m, __m256* y) {
  const __m256 two = _mm256_set1_ps(2.f), four = _mm256_set1_ps(4.f), eight = _mm256_set1_ps(8.f);
  const __m256 p12 = _mm256_add_ps(m[1], m[2]), m12 = _mm256_sub_ps(m[1], m[2]);
  const __m256 p34 = _mm256_add_ps(m[3], m[4]), m34 = _mm256_sub_ps(m[3], m[4]);
  y[0] = _mm256_add_ps(_mm256_add_ps(m[0], p12), p34);
  y[1] = _mm256_fmadd_ps(two, m34, m12);
  y[2] = _mm256_fmadd_ps(four, p34, p12);
  y[3] = _mm256_add_ps(_mm256_fmadd_ps(eight, m34, m12), m[5]);
}

// V[t][ic][tile] for the tile rows [tr0, tr1) of one group's input x (tiles numbered from tr0's first).
void input_transform(const ConvShape& s, const Grid& gr, const float* x, int64_t tr0, int64_t tr1, float* v,
                     int64_t ld, float* rows) {
  const int64_t rf = gr.row_floats(), icg = s.icg();
  for (int64_t ic = 0; ic < icg; ++ic) {
    const float* xc = x + ic * s.in_plane();
    for (int64_t tr = tr0; tr < tr1; ++tr) {
      // the 6 input rows of this tile row, zero-extended: rows[r][j] = x[4 tr - pt + r][j - pl]
      for (int64_t r = 0; r < 6; ++r) {
        float* dst = rows + r * rf;
        const int64_t ih = 4 * tr - s.pt + r;
        std::memset(dst, 0, sizeof(float) * rf);
        if (ih < 0 || ih >= s.h) continue;
        const int64_t a = std::min(s.pl, rf), n = std::clamp<int64_t>(rf - a, 0, s.w);
        std::memcpy(dst + a, xc + ih * s.w, sizeof(float) * n);
      }
      float* out = v + ic * ld + (tr - tr0) * gr.tw;
      for (int64_t t0 = 0; t0 < gr.tw; t0 += 8) {
        __m256 h[6][6];  // h[r][c'] = (d B)[r][c'] for 8 tiles
        for (int r = 0; r < 6; ++r) {
          const float* p = rows + r * rf + 4 * t0;
          __m256 d[6];
          deinterleave4(p, d);
          // columns 4 and 5 are columns 0 and 1 of the next tile: shift by one lane, the last from p[32..33]
          const __m256i next = _mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 0);
          d[4] = _mm256_blend_ps(_mm256_permutevar8x32_ps(d[0], next), _mm256_broadcast_ss(p + 32), 0x80);
          d[5] = _mm256_blend_ps(_mm256_permutevar8x32_ps(d[1], next), _mm256_broadcast_ss(p + 33), 0x80);
          input_1d(d, h[r]);
        }
        for (int c = 0; c < 6; ++c) {
          const __m256 col[6] = {h[0][c], h[1][c], h[2][c], h[3][c], h[4][c], h[5][c]};
          __m256 o[6];
          input_1d(col, o);
          // tiles past the row end spill into the next tile row's slots (written afterwards) or the row's slack
          for (int r = 0; r < 6; ++r) _mm256_storeu_ps(out + (r * 6 + c) * icg * ld + t0, o[r]);
        }
      }
    }
  }
}

// Output tile rows [tr0, tr1) of channels [oc0, oc0 + ocg) from M[t][oc][tile]; then the epilogue on them.
void output_transform(const Conv2dPlan& p, const Grid& gr, const float* m, int64_t ld, int64_t tr0, int64_t tr1,
                      float* y, const float* res, int64_t oc0, bool accumulate, float* rows) {
  const ConvShape& s = p.s;
  const int64_t ocg = s.ocg(), rf = gr.row_floats(), plane = s.out_plane();
  for (int64_t oc = 0; oc < ocg; ++oc) {
    for (int64_t tr = tr0; tr < tr1; ++tr) {
      const float* in = m + oc * ld + (tr - tr0) * gr.tw;
      for (int64_t t0 = 0; t0 < gr.tw; t0 += 8) {
        __m256 w[4][6];  // (A^T M)[r''][c']
        for (int c = 0; c < 6; ++c) {
          __m256 col[6], o[4];
          for (int r = 0; r < 6; ++r) col[r] = _mm256_loadu_ps(in + (r * 6 + c) * ocg * ld + t0);
          output_1d(col, o);
          for (int r = 0; r < 4; ++r) w[r][c] = o[r];
        }
        for (int r = 0; r < 4; ++r) {
          __m256 o[4];
          output_1d(w[r], o);
          interleave4(o, rows + r * rf + 4 * t0);
        }
      }
      // the tile row's 4 output rows, clipped to the output
      const int64_t oh0 = 4 * tr, nrows = std::min<int64_t>(4, s.oh - oh0);
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
    }
  }
}

}  // namespace

// U_t = (G g G^T)[t] per (group, oc, ic), laid out [group][t][ocg][icg] for the SGEMMs; computed in double.
void conv2d_winograd_pack(Conv2dPlan& p, const float* w) {
  static const double G[6][3] = {{1.0 / 4, 0, 0},           {-1.0 / 6, -1.0 / 6, -1.0 / 6},
                                 {-1.0 / 6, 1.0 / 6, -1.0 / 6}, {1.0 / 24, 1.0 / 12, 1.0 / 6},
                                 {1.0 / 24, -1.0 / 12, 1.0 / 6}, {0, 0, 1}};
  const ConvShape& s = p.s;
  const int64_t icg = s.icg(), ocg = s.ocg();
  p.weight.assign(static_cast<size_t>(s.groups * 36 * ocg * icg), 0.f);
  for (int64_t g = 0; g < s.groups; ++g) {
    for (int64_t oc = 0; oc < ocg; ++oc) {
      for (int64_t ic = 0; ic < icg; ++ic) {
        const float* k = w + ((g * ocg + oc) * icg + ic) * 9;
        double gk[6][3];  // G g
        for (int i = 0; i < 6; ++i)
          for (int j = 0; j < 3; ++j) gk[i][j] = G[i][0] * k[j] + G[i][1] * k[3 + j] + G[i][2] * k[6 + j];
        for (int i = 0; i < 6; ++i)
          for (int j = 0; j < 6; ++j) {
            const double u = gk[i][0] * G[j][0] + gk[i][1] * G[j][1] + gk[i][2] * G[j][2];
            p.weight[((g * 36 + i * 6 + j) * ocg + oc) * icg + ic] = static_cast<float>(u);
          }
      }
    }
  }
}

int32_t conv2d_winograd_run(const Conv2dPlan& p, const ConvRun& r) {
  const ConvShape& s = p.s;
  const Grid gr(s);
  const int64_t icg = s.icg(), ocg = s.ocg(), images = r.batch * s.groups;
  // rows of V and M hold a chunk's tiles plus 8 of slack: the vector of the last tiles of a row runs past them
  const int64_t ld = gr.rows_per_chunk * gr.tw + 8;
  std::atomic<bool> oom{false};
  parallel_for(images * gr.chunks, [&](int64_t lo, int64_t hi) {
    float* v = scratch(1, static_cast<size_t>(36 * icg * ld));
    float* m = scratch(2, static_cast<size_t>(36 * ocg * ld));
    float* rows = scratch(3, static_cast<size_t>(6 * gr.row_floats()));
    if (v == nullptr || m == nullptr || rows == nullptr) {
      oom = true;
      return;
    }
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t ng = u / gr.chunks, n = ng / s.groups, g = ng % s.groups;
      const int64_t tr0 = (u % gr.chunks) * gr.rows_per_chunk, tr1 = std::min(gr.th, tr0 + gr.rows_per_chunk);
      const int64_t tiles = (tr1 - tr0) * gr.tw;
      input_transform(s, gr, r.x + (n * s.ic + g * icg) * s.in_plane(), tr0, tr1, v, ld, rows);
      for (int64_t t = 0; t < 36; ++t) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(ocg), static_cast<int>(tiles),
                    static_cast<int>(icg), 1.f, p.weight.data() + (g * 36 + t) * ocg * icg, static_cast<int>(icg),
                    v + t * icg * ld, static_cast<int>(ld), 0.f, m + t * ocg * ld, static_cast<int>(ld));
      }
      output_transform(p, gr, m, ld, tr0, tr1, r.y + n * s.oc * s.out_plane(),
                       r.residual == nullptr ? nullptr : r.residual + n * s.oc * s.out_plane(), g * ocg,
                       r.accumulate, rows);
    }
  });
  return oom ? fail(C4J_ERR_NOMEM, "out of memory for the conv2d Winograd buffers") : C4J_OK;
}

}  // namespace c4j
