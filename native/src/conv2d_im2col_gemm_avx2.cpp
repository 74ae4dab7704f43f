// conv2d IM2COL_GEMM: per (image, group, pixel tile) the tile's im2col panel [icg*kh*kw][tile] is built in
// thread-local scratch and multiplied by the group's OIHW weights (already a row-major [ocg][icg*kh*kw] matrix)
// with one single-threaded OpenBLAS SGEMM straight into y. Tiles keep the panel cache-sized and feed the threads.
#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <cstring>

#include "conv2d.h"
#include "thread_pool.h"

namespace c4j {
namespace {

constexpr int64_t kPanelFloats = 48 * 1024;  // im2col panel per tile: ~192 KB, inside L2 next to the weights


// The panel rows (ic, kh, kw) for output pixels [p0, p0 + np) of one group's input x; zero where a tap is padding.
void im2col(const ConvShape& s, const float* x, int64_t p0, int64_t np, float* col) {
  float* dst = col;
  for (int64_t ic = 0; ic < s.icg(); ++ic) {
    const float* xc = x + ic * s.in_plane();
    for (int64_t kh = 0; kh < s.kh; ++kh) {
      for (int64_t kw = 0; kw < s.kw; ++kw) {
        const int64_t shift = kw * s.dw - s.pl;  // iw = ow * sw + shift
        // output columns whose tap lies inside the row
        const int64_t owa = std::max<int64_t>(0, ceil_div(-shift, s.sw));
        const int64_t owb = std::min(s.ow, floor_div(s.w - 1 - shift, s.sw) + 1);
        for (int64_t p = p0; p < p0 + np;) {
          const int64_t oh = p / s.ow, ow0 = p % s.ow, len = std::min(s.ow - ow0, p0 + np - p);
          const int64_t ih = oh * s.sh - s.pt + kh * s.dh;
          if (ih < 0 || ih >= s.h) {
            std::memset(dst, 0, sizeof(float) * len);
          } else {
            const float* row = xc + ih * s.w;
            const int64_t a = std::clamp(owa, ow0, ow0 + len), b = std::clamp(owb, a, ow0 + len);
            std::memset(dst, 0, sizeof(float) * (a - ow0));
            if (s.sw == 1) {
              std::memcpy(dst + (a - ow0), row + a + shift, sizeof(float) * (b - a));
            } else {
              for (int64_t ow = a; ow < b; ++ow) dst[ow - ow0] = row[ow * s.sw + shift];
            }
            std::memset(dst + (b - ow0), 0, sizeof(float) * (ow0 + len - b));
          }
          dst += len;
          p += len;
        }
      }
    }
  }
}

// Pixels per tile: the panel fits kPanelFloats, a multiple of 16 (SGEMM's column blocking), and enough tiles that
// every thread gets work.
int64_t tile_pixels(int64_t k, int64_t pixels, int64_t images) {
  int64_t t = std::max<int64_t>(16, kPanelFloats / k / 16 * 16);
  const int64_t want = 3 * num_threads();
  if (images * ((pixels + t - 1) / t) < want) t = std::max<int64_t>(16, (images * pixels / want + 15) / 16 * 16);
  return std::min(t, pixels);
}

// For each (image, group, pixel tile): panel(x, p0, np, ldb) gives B (null when out of memory) and its leading
// dimension; SGEMM into y; epilogue.
template <typename PanelFn>
int32_t gemm_tiles(const Conv2dPlan& p, const ConvRun& r, int64_t k, PanelFn panel) {
  const ConvShape& s = p.s;
  const int64_t pixels = s.out_plane(), ocg = s.ocg(), images = r.batch * s.groups;
  const int64_t tp = tile_pixels(k, pixels, images), tiles = (pixels + tp - 1) / tp;
  std::atomic<bool> oom{false};
  parallel_for(images * tiles, [&](int64_t lo, int64_t hi) {
    for (int64_t u = lo; u < hi; ++u) {
      const int64_t ng = u / tiles, n = ng / s.groups, g = ng % s.groups, p0 = (u % tiles) * tp;
      const int64_t np = std::min(tp, pixels - p0);
      const float* x = r.x + (n * s.ic + g * s.icg()) * s.in_plane();
      int64_t ldb = 0;
      const float* b = panel(x, p0, np, ldb);
      if (b == nullptr) {
        oom = true;
        return;
      }
      const int64_t off = (n * s.oc + g * ocg) * pixels + p0;
      cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, static_cast<int>(ocg), static_cast<int>(np),
                  static_cast<int>(k), 1.f, p.weight.data() + g * ocg * k, static_cast<int>(k), b,
                  static_cast<int>(ldb), r.accumulate ? 1.f : 0.f, r.y + off, static_cast<int>(pixels));
      conv2d_epilogue_rows(p, r.y + off, r.residual == nullptr ? nullptr : r.residual + off, g * ocg, ocg, np,
                           pixels);
    }
  });
  return oom ? fail(C4J_ERR_NOMEM, "out of memory for the conv2d im2col panel") : C4J_OK;
}

}  // namespace

void conv2d_im2col_gemm_pack(Conv2dPlan& p, const float* w) {
  p.weight.assign(w, w + p.s.oc * p.s.icg() * p.s.taps());
}

int32_t conv2d_im2col_gemm_run(const Conv2dPlan& p, const ConvRun& r) {
  const ConvShape& s = p.s;
  const int64_t k = s.icg() * s.taps();
  return gemm_tiles(p, r, k, [&](const float* x, int64_t p0, int64_t np, int64_t& ldb) {
    float* col = scratch(1, static_cast<size_t>(k * np));
    if (col != nullptr) im2col(s, x, p0, np, col);
    ldb = np;
    return static_cast<const float*>(col);
  });
}

// GEMM_1X1: a 1x1 stride-1 unpadded convolution is already a GEMM on the input planes: B = x, no panel.
int32_t conv2d_gemm_1x1_run(const Conv2dPlan& p, const ConvRun& r) {
  const int64_t plane = p.s.in_plane();
  return gemm_tiles(p, r, p.s.icg(), [&](const float* x, int64_t p0, int64_t, int64_t& ldb) {
    ldb = plane;
    return x + p0;
  });
}

}  // namespace c4j
