// The conv2d plan shared by the entry points (conv2d.cpp, baseline ISA) and the kernels (conv2d_*_avx2.cpp).
// Plain data only: nothing here may compile to AVX2 code that baseline code could end up calling.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "epilogue.h"
#include "plan.h"
#include "page_arena.h"

namespace c4j {

// The convolution a kernel runs: zero padding only (non-zero padding modes were materialised by pad2d first,
// so h/w are then the padded sizes and the pads 0). All sizes are validated and positive.
struct ConvShape {
  int64_t ic, h, w, oc, kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, groups, oh, ow;
  int64_t icg() const { return ic / groups; }
  int64_t ocg() const { return oc / groups; }
  int64_t in_plane() const { return h * w; }
  int64_t out_plane() const { return oh * ow; }
  int64_t taps() const { return kh * kw; }
  bool unpadded_1x1() const { return kh == 1 && kw == 1 && pt == 0 && pl == 0 && pb == 0 && pr == 0; }
};

// Smallest q with q * b >= a, and largest q with q * b <= a (b > 0, a of any sign): tap ranges inside the input.
inline int64_t ceil_div(int64_t a, int64_t b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }
inline int64_t floor_div(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

// What one run works on: image-major buffers of `batch` images, already span-checked against the plan.
// accumulate: y already holds the residual (the caller passed residual == y); kernels add the convolution to it
// and the epilogue then has no separate residual to read.
struct ConvRun {
  int64_t batch;
  const float* x;
  float* y;
  const float* residual;  // null, or batch * oc * oh * ow floats not overlapping y
  bool accumulate;
};

// How the caller's input is padded. mode is C4J_PAD_ZEROS unless pad2d materialises a padded copy at run time.
struct Padding {
  int mode = C4J_PAD_ZEROS;
  int64_t in_h = 0, in_w = 0;  // the caller's input size (ConvShape h/w are the padded sizes when materialised)
  int64_t t = 0, l = 0, b = 0, r = 0;
};

struct Conv2dPlan : Plan {
  Conv2dPlan(const ConvShape& shape, const Padding& padding, const Activation& activation, int algorithm)
      : Plan(PlanKind::Conv2d), s(shape), pad(padding), act(activation), algo(algorithm) {}
  ConvShape s;  // what the kernel convolves
  Padding pad;
  Activation act;
  int algo;
  WeightVector weight;        // in the layout the algorithm wants (packed once at create)
  std::vector<float> bias;    // oc floats, or empty
  std::vector<int64_t> offsets;  // DIRECT: each reduction step's offset in the zero-padded input
  float bias_at(int64_t oc) const { return bias.empty() ? 0.f : bias[oc]; }

  // AUTO on a map too small for WINOGRAD at batch 1 (its transformed weights, 4x the direct ones, would be re-read
  // for a few tiles; the plan runs DIRECT or WINOGRAD_2X2) still wants it for batches of enough tiles: from
  // winograd_batch images on, runs use a WINOGRAD plan made from `oihw` at the first such run (which then frees the
  // copy). 0: never.
  int64_t winograd_batch = 0;
  mutable std::vector<float> oihw;
  mutable std::once_flag batched_once;
  mutable std::unique_ptr<Conv2dPlan> batched;
};

// Applies y = act(y + bias + residual) to `rows` rows of n floats, one output channel each (channel oc0 + r,
// rows `stride` floats apart in y and residual). Run after a kernel wrote the raw convolution of a tile.
void conv2d_epilogue_rows(const Conv2dPlan& p, float* y, const float* residual, int64_t oc0, int64_t rows,
                          int64_t n, int64_t stride);

// Each algorithm: pack(plan, OIHW weights) at create, run(plan, run) per call (parallel inside; C4J_OK or a
// failed status with c4j_last_error set).
void conv2d_direct_pack(Conv2dPlan& p, const float* w);
int32_t conv2d_direct_run(const Conv2dPlan& p, const ConvRun& r);
void conv2d_im2col_gemm_pack(Conv2dPlan& p, const float* w);
int32_t conv2d_im2col_gemm_run(const Conv2dPlan& p, const ConvRun& r);
// IM2COL_GEMM on a stride-2 stem (dilation 1, one group, at most 4 input channels, a reduction of at most 256)
// reads B straight from the input's four phases instead of an im2col panel.
constexpr int64_t kStemMaxChannels = 4, kStemMaxReduction = 256;
inline bool im2col_stem_phases(const ConvShape& s) {
  return s.sh == 2 && s.sw == 2 && s.dh == 1 && s.dw == 1 && s.groups == 1 && s.ic <= kStemMaxChannels &&
         s.ic * s.taps() <= kStemMaxReduction && !s.unpadded_1x1();
}
int32_t conv2d_gemm_1x1_run(const Conv2dPlan& p, const ConvRun& r);  // packed by conv2d_im2col_gemm_pack
void conv2d_depthwise_pack(Conv2dPlan& p, const float* w);
int32_t conv2d_depthwise_run(const Conv2dPlan& p, const ConvRun& r);
void conv2d_winograd_pack(Conv2dPlan& p, const float* w);
int32_t conv2d_winograd_run(const Conv2dPlan& p, const ConvRun& r);

}  // namespace c4j
