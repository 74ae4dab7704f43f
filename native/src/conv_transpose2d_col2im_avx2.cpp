// conv_transpose2d by SGEMM + col2im, no zero-stuffing. Input pixel (ih, iw) of channel ic contributes
// x * W[ic, oc, ki, kj] to output (ih*sh - pt + ki*dh, iw*sw - pl + kj*dw). Per (image, group, tile of output
// channels) one single-threaded OpenBLAS SGEMM computes cols[(oc, ki, kj), pixel] = W_g^T x_g for a band of input
// rows (a cache-sized panel in thread-local scratch); col2im then adds each row of cols into its output row,
// AVX2 for stride 1 (contiguous) and stride 2 (interleaved with zeros), scalar otherwise. Output channels of a
// tile belong to one unit, so units never write the same plane; the bias + activation epilogue runs per plane.
#include <cblas.h>
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "conv_transpose2d.h"
#include "shuffle_avx2.h"
#include "thread_pool.h"

namespace c4j {
namespace {

// cols panel per SGEMM: ~1 MB. Fewer, larger SGEMMs repack the input less often (1 thread, 3x3 s2 128->64 @28:
// 1.94 ms at 256 KB, 1.80 ms at 1 MB; 4x4 s2 256->128 @14: 3.24 vs 3.16 ms)
constexpr int64_t kPanelFloats = 256 * 1024;

// dst[i*S] += src[i] for i < n, where dst[(n-1)*S + S-1] may be touched (read and rewritten unchanged) only
// when it lies inside the caller's row: limit says how many src elements have that room.
template <int S>
void add_strided(float* dst, const float* src, int64_t n, int64_t limit) {
  int64_t i = 0;
  if constexpr (S == 1) {
    for (; i + 8 <= n; i += 8)
      _mm256_storeu_ps(dst + i, _mm256_add_ps(_mm256_loadu_ps(dst + i), _mm256_loadu_ps(src + i)));
  } else if constexpr (S == 2) {
    const __m256 zero = _mm256_setzero_ps();
    for (; i + 8 <= limit; i += 8) {
      __m256 lo, hi;  // s0 0 s1 0 ... s7 0
      avx2::interleave(_mm256_loadu_ps(src + i), zero, lo, hi);
      float* d = dst + 2 * i;
      _mm256_storeu_ps(d, _mm256_add_ps(_mm256_loadu_ps(d), lo));
      _mm256_storeu_ps(d + 8, _mm256_add_ps(_mm256_loadu_ps(d + 8), hi));
    }
  }
  for (; i < n; ++i) dst[i * S] += src[i];
}

struct Unit {
  const ConvTranspose2dPlan& p;
  const float* x;  // the group's input channels of one image
  float* y;        // the tile's first output plane
  int64_t oc0;     // the tile's first output channel within the group
  int64_t ocs;     // output channels in the tile
  const float* a;  // the tile's rows of W_g^T
};

// Adds the contributions of input rows [r0, r1), held in cols (ocs*taps rows of np = (r1-r0)*w), into the planes.
void col2im(const Unit& u, const float* cols, int64_t r0, int64_t r1) {
  const ConvTranspose2dPlan& p = u.p;
  const int64_t np = (r1 - r0) * p.w;
  for (int64_t o = 0; o < u.ocs; ++o) {
    float* plane = u.y + o * p.out_plane();
    for (int64_t ki = 0; ki < p.kh; ++ki) {
      for (int64_t kj = 0; kj < p.kw; ++kj) {
        const float* c = cols + (o * p.taps() + ki * p.kw + kj) * np;
        const int64_t x0 = kj * p.dw - p.pl;  // ow = iw*sw + x0
        // input columns landing inside the output row, and (stride 2) those whose odd neighbour is inside too
        const int64_t iwa = x0 >= 0 ? 0 : (-x0 + p.sw - 1) / p.sw;
        const int64_t iwb = std::min(p.w, p.ow - 1 - x0 < 0 ? 0 : (p.ow - 1 - x0) / p.sw + 1);
        if (iwa >= iwb) continue;
        const int64_t room = std::min(iwb, p.ow - 2 - x0 < 0 ? 0 : (p.ow - 2 - x0) / p.sw + 1) - iwa;
        for (int64_t ih = r0; ih < r1; ++ih) {
          const int64_t oh = ih * p.sh - p.pt + ki * p.dh;
          if (oh < 0 || oh >= p.oh) continue;
          float* dst = plane + oh * p.ow + iwa * p.sw + x0;
          const float* src = c + (ih - r0) * p.w + iwa;
          if (p.sw == 1) {
            add_strided<1>(dst, src, iwb - iwa, 0);
          } else if (p.sw == 2) {
            add_strided<2>(dst, src, iwb - iwa, room);
          } else {
            for (int64_t i = 0; i < iwb - iwa; ++i) dst[i * p.sw] += src[i];
          }
        }
      }
    }
  }
}

// One unit: bands of input rows through SGEMM and col2im (or SGEMM straight into y for a 1x1 stride-1 kernel),
// then the epilogue. Returns false when the panel cannot be allocated.
bool run_unit(const Unit& u, int64_t band) {
  const ConvTranspose2dPlan& p = u.p;
  const int64_t k = p.icg(), plane = p.in_plane(), m = u.ocs * p.taps();
  if (p.gemm_only()) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(plane),
                static_cast<int>(k), 1.f, u.a, static_cast<int>(k), u.x, static_cast<int>(plane), 0.f, u.y,
                static_cast<int>(plane));
  } else {
    std::memset(u.y, 0, sizeof(float) * u.ocs * p.out_plane());
    for (int64_t r0 = 0; r0 < p.h; r0 += band) {
      const int64_t r1 = std::min(p.h, r0 + band), np = (r1 - r0) * p.w;
      float* cols = scratch(1, static_cast<size_t>(m * np));
      if (cols == nullptr) return false;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(m), static_cast<int>(np),
                  static_cast<int>(k), 1.f, u.a, static_cast<int>(k), u.x + r0 * p.w, static_cast<int>(plane), 0.f,
                  cols, static_cast<int>(np));
      col2im(u, cols, r0, r1);
    }
  }
  if (p.bias.empty() && p.act.act == C4J_ACT_NONE) return true;
  for (int64_t o = 0; o < u.ocs; ++o) {
    float* yp = u.y + o * p.out_plane();
    epilogue_row(yp, yp, p.out_plane(), p.bias.empty() ? 0.f : p.bias[u.oc0 + o], nullptr, p.act);
  }
  return true;
}

}  // namespace

int32_t conv_transpose2d_col2im_run(const ConvTranspose2dPlan& p, int64_t batch, const float* x, float* y) {
  const int64_t taps = p.taps(), ocg = p.ocg(), images = batch * p.groups;
  // Output channels per tile: a panel of ~kPanelFloats for a band of >= 256 pixels (or the whole image), then
  // smaller tiles when there would be fewer than two units per thread.
  const int64_t pixels = std::min(p.in_plane(), std::max<int64_t>(p.w, 256));
  int64_t tile = std::clamp<int64_t>(kPanelFloats / (taps * pixels), 1, ocg);
  const int64_t want = 2 * num_threads();
  if (images * ((ocg + tile - 1) / tile) < want) {
    const int64_t tiles = (want + images - 1) / images;
    tile = std::max<int64_t>(1, (ocg + tiles - 1) / tiles);
  }
  const int64_t tiles = (ocg + tile - 1) / tile;
  const int64_t band = std::clamp<int64_t>(kPanelFloats / (tile * taps * p.w), 1, p.h);  // input rows per SGEMM
  std::atomic<bool> oom{false};
  const auto body = [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi && !oom; ++t) {
      const int64_t img = t / tiles, n = img / p.groups, g = img % p.groups, oc0 = (t % tiles) * tile;
      const Unit u{p,
                   x + (n * p.ic + g * p.icg()) * p.in_plane(),
                   y + (n * p.oc + g * ocg + oc0) * p.out_plane(),
                   g * ocg + oc0,
                   std::min(tile, ocg - oc0),
                   p.weight.data() + (g * ocg + oc0) * taps * p.icg()};
      if (!run_unit(u, band)) oom = true;
    }
  };
  parallel_for(images * tiles, body);
  return oom ? fail(C4J_ERR_NOMEM, "out of memory for the conv_transpose2d column panel") : C4J_OK;
}

}  // namespace c4j
