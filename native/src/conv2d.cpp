// conv2d entry points (baseline ISA): validate the parameter block, pick and prepare an algorithm, run it with
// every buffer span checked against the plan's own sizes. The kernels live in conv2d_*_avx2.cpp.
#include <cstdint>
#include <memory>
#include <new>
#include <utility>
#include <vector>

#include "conv2d.h"
#include "op_checks.h"
#include "pad2d.h"
#include "thread_pool.h"

namespace c4j {
namespace {

const char* mode_name(int m) {
  static const char* const names[] = {"zeros", "reflect", "replicate", "circular"};
  return names[m];
}

// Output size along one dimension, PyTorch's floor((in + p0 + p1 - d*(k-1) - 1) / s) + 1, or -1 when the padded
// input is smaller than the dilated kernel. Inputs are positive int32 values, so int64 cannot overflow.
int64_t out_size(int64_t in, int64_t p0, int64_t p1, int64_t k, int64_t d, int64_t s) {
  const int64_t span = in + p0 + p1 - d * (k - 1) - 1;
  return span < 0 ? -1 : span / s + 1;
}

// Checks the parameter block and fills the geometry; returns C4J_OK or fails with a message naming the parameter,
// its value and the rule. Plain integer code: it runs before the ISA check.
int32_t validate(const int32_t* p, int32_t n, ConvShape& s, Padding& pad) {
  if (p == nullptr) return fail(C4J_ERR_ARG, "params is null");
  if (n != C4J_CP_COUNT) return fail(C4J_ERR_ARG, "nparams must be %d (C4J_CP_COUNT), got %d", C4J_CP_COUNT, n);
  static const int positive[] = {C4J_CP_IN_C, C4J_CP_IN_H, C4J_CP_IN_W, C4J_CP_OUT_C, C4J_CP_KH, C4J_CP_KW,
                                 C4J_CP_SH,   C4J_CP_SW,   C4J_CP_DH,   C4J_CP_DW,    C4J_CP_GROUPS};
  for (int i : positive)
    if (p[i] < 1) return fail(C4J_ERR_ARG, "%s must be >= 1, got %d", conv_param_name(i), p[i]);
  for (int i = C4J_CP_PAD_T; i <= C4J_CP_PAD_R; ++i)
    if (p[i] < 0) return fail(C4J_ERR_ARG, "%s must be >= 0, got %d", conv_param_name(i), p[i]);
  for (int i : {C4J_CP_OUT_PAD_H, C4J_CP_OUT_PAD_W})
    if (p[i] != 0) return fail(C4J_ERR_ARG, "%s must be 0 for conv2d, got %d", conv_param_name(i), p[i]);
  const int32_t groups = p[C4J_CP_GROUPS];
  for (int i : {C4J_CP_IN_C, C4J_CP_OUT_C})
    if (p[i] % groups != 0)
      return fail(C4J_ERR_ARG, "%s must be divisible by groups, got %s=%d, groups=%d", conv_param_name(i),
                  conv_param_name(i), p[i], groups);
  const int32_t mode = p[C4J_CP_PAD_MODE];
  if (mode < C4J_PAD_ZEROS || mode > C4J_PAD_CIRCULAR)
    return fail(C4J_ERR_ARG, "padding_mode must be one of C4J_PAD_* (0..3), got %d", mode);
  if (!activation_known(p[C4J_CP_ACT]))
    return fail(C4J_ERR_ARG, "activation must be one of C4J_ACT_* (0..5), got %d", p[C4J_CP_ACT]);

  const int64_t h = p[C4J_CP_IN_H], w = p[C4J_CP_IN_W];
  const int64_t pt = p[C4J_CP_PAD_T], pl = p[C4J_CP_PAD_L], pb = p[C4J_CP_PAD_B], pr = p[C4J_CP_PAD_R];
  if (mode == C4J_PAD_REFLECT || mode == C4J_PAD_CIRCULAR) {
    const bool strict = mode == C4J_PAD_REFLECT;  // reflect: pad < size; circular: pad <= size (PyTorch)
    const int pads[] = {C4J_CP_PAD_T, C4J_CP_PAD_B, C4J_CP_PAD_L, C4J_CP_PAD_R};
    for (int i : pads) {
      const bool vertical = i == C4J_CP_PAD_T || i == C4J_CP_PAD_B;
      const int64_t size = vertical ? h : w;
      if (strict ? p[i] >= size : p[i] > size)
        return fail(C4J_ERR_ARG, "%s padding: %s must be %s the input %s %lld, got %d", mode_name(mode),
                    conv_param_name(i), strict ? "<" : "<=", vertical ? "height" : "width",
                    static_cast<long long>(size), p[i]);
    }
  }
  const int64_t oh = out_size(h, pt, pb, p[C4J_CP_KH], p[C4J_CP_DH], p[C4J_CP_SH]);
  const int64_t ow = out_size(w, pl, pr, p[C4J_CP_KW], p[C4J_CP_DW], p[C4J_CP_SW]);
  if (oh < 1)
    return fail(C4J_ERR_ARG, "output height must be >= 1: in_height %lld + pads %lld + %lld is smaller than the "
                "dilated kernel %d*(%d-1)+1", static_cast<long long>(h), static_cast<long long>(pt),
                static_cast<long long>(pb), p[C4J_CP_DH], p[C4J_CP_KH]);
  if (ow < 1)
    return fail(C4J_ERR_ARG, "output width must be >= 1: in_width %lld + pads %lld + %lld is smaller than the "
                "dilated kernel %d*(%d-1)+1", static_cast<long long>(w), static_cast<long long>(pl),
                static_cast<long long>(pr), p[C4J_CP_DW], p[C4J_CP_KW]);

  const bool copy_pads = mode != C4J_PAD_ZEROS && pt + pl + pb + pr > 0;  // pad2d materialises, kernel sees 0s
  s.ic = p[C4J_CP_IN_C], s.oc = p[C4J_CP_OUT_C], s.kh = p[C4J_CP_KH], s.kw = p[C4J_CP_KW];
  s.sh = p[C4J_CP_SH], s.sw = p[C4J_CP_SW], s.dh = p[C4J_CP_DH], s.dw = p[C4J_CP_DW], s.groups = groups;
  s.h = copy_pads ? h + pt + pb : h;
  s.w = copy_pads ? w + pl + pr : w;
  s.pt = copy_pads ? 0 : pt, s.pl = copy_pads ? 0 : pl, s.pb = copy_pads ? 0 : pb, s.pr = copy_pads ? 0 : pr;
  pad = Padding{copy_pads ? mode : C4J_PAD_ZEROS, h, w, pt, pl, pb, pr};
  s.oh = oh, s.ow = ow;
  // every buffer length the plan will ever compute, bounded so no later product overflows
  for (int64_t v : {volume({s.ic, h, w}), volume({s.ic, s.h, s.w}), volume({s.oc, oh, ow}),
                    volume({s.oc, s.icg(), s.kh, s.kw})})
    if (v < 0) return fail(C4J_ERR_ARG, "conv2d sizes too large: a tensor of this configuration exceeds 2^40 floats");
  return C4J_OK;
}

int32_t validate_buffers(const ConvShape& s, const Activation& a, const float* weight, int64_t weight_len,
                         const float* bias, int64_t bias_len) {
  const int64_t wn = s.oc * s.icg() * s.kh * s.kw;
  if (weight == nullptr) return fail(C4J_ERR_ARG, "weight is null");
  if (weight_len != wn)
    return fail(C4J_ERR_ARG, "weight_len must be out_channels*(in_channels/groups)*kernel_h*kernel_w = %lld, got %lld",
                static_cast<long long>(wn), static_cast<long long>(weight_len));
  if (check_bias(bias, bias_len, s.oc, "out_channels") != C4J_OK) return C4J_ERR_ARG;
  return check_activation(a.act, a.a, a.b);
}

const char* algo_name(int a) {
  static const char* const names[] = {"AUTO", "DIRECT", "IM2COL_GEMM", "GEMM_1X1", "DEPTHWISE", "WINOGRAD",
                                       "WINOGRAD_2X2"};
  return names[a];
}

bool is_1x1(const ConvShape& s) { return s.unpadded_1x1() && s.sh == 1 && s.sw == 1; }

bool is_3x3_s1(const ConvShape& s) {
  return s.kh == 3 && s.kw == 3 && s.sh == 1 && s.sw == 1 && s.dh == 1 && s.dw == 1;
}

bool is_depthwise(const ConvShape& s) { return s.groups == s.ic; }  // one input channel per group, any multiplier

// Why algorithm a cannot run s, or null when it can.
const char* unsupported(int a, const ConvShape& s) {
  switch (a) {
    case C4J_ALGO_DIRECT:
    case C4J_ALGO_IM2COL_GEMM: return nullptr;
    case C4J_ALGO_GEMM_1X1:
      return is_1x1(s) ? nullptr : "needs a 1x1 kernel, stride 1 and no padding";
    case C4J_ALGO_DEPTHWISE:
      return is_depthwise(s) ? nullptr : "needs groups == in_channels (out_channels a multiple of it)";
    case C4J_ALGO_WINOGRAD:
    case C4J_ALGO_WINOGRAD_2X2:
      // below 16 input channels per group the tile transforms cost more than the multiplies they save (measured:
      // 8 -> 8 at 56x56 runs no faster than DIRECT), and their rounding, which does not shrink with the reduction
      // length, dominates the error
      if (!is_3x3_s1(s)) return "needs a 3x3 kernel, stride 1 and dilation 1";
      return s.icg() >= 16 ? nullptr : "needs at least 16 input channels per group";
    default: return "is not implemented in this build";
  }
}

// AUTO, from one-thread measurements (GFLOP/s, DIRECT vs IM2COL_GEMM when it was OpenBLAS): 3x3 64->64 56x56 72
// vs 47, 3x3 256->256 14x14 82 vs 37, 7x7/2 3->64 224 67 vs 46, 5x5 32->64 28x28 84 vs 41, grouped and dilated
// likewise: the register-blocked kernel wins dense shapes. 1x1 (ms, DIRECT before it packed 1x1 inputs vs GEMM_1X1
// with its own packed GEMM; small maps now go to DIRECT, see kDirect1x1Pixels):
// GEMM_1X1 wins expanding and shrinking alike (160->960 7x7 0.33 vs 0.21, 16->96 112x112 1.59 vs 0.64,
// 960->160 7x7 0.30 vs 0.22, 32->16 112x112 0.32 vs 0.19, 576->96 14x14 0.29 vs 0.25); strided 1x1 goes to
// IM2COL_GEMM (64->128 /2 56x56 0.26 vs 0.17, 256->512 /2 14x14 0.24 vs 0.22), and so do 3x3 RGB stems (DIRECT
// vs IM2COL_GEMM, ms: 3x3/2 3->32 224 0.64 vs 0.36, 3x3 3->64 224 5.4 vs 2.9), whose 27-long (ic, kh, kw)
// reduction is too short to hide DIRECT's per-tile transpose; at 147 (7x7/2 3->64 224) the panel made it a draw
// (2.37 vs 2.60), read from the input's phases instead it wins (2.14; see im2col_stem_phases). Other dense shapes
// stay DIRECT (ms: 3x3/2 256->512 14x14 1.73 vs 2.12-2.3, 3x3 256->256 7x7 0.8 vs 1.1, 3x3 512->512 7x7 3.5 vs
// 4.4-6.2, 5x5 32->64 28x28 0.96 vs 1.14, 5x5/2 64->64 28x28 0.54 vs 0.79).
// WINOGRAD for 3x3 stride 1 (one thread, ms, DIRECT vs WINOGRAD, same run): 64->64 56x56 8.4 vs 3.0, 128->128
// 28x28 7.0 vs 3.5, 256->256 14x14 8.9 vs 2.0, 512->512 14x14 28.6 vs 9.7, 64->64 224x224 88 vs 31, 16->16 56x56
// 0.41 vs 0.16. Its rounding error scales with a 6x6 input tile instead of each output's own window; tests allow
// for that. On small maps the transformed weights (T^2 matrices: 4x the direct weights for F(4x4), 1.8x for
// F(2x2)) stream from memory for few tiles, and a map that is not a multiple of the tile computes outputs it throws
// away. Measured (one thread, weights cold, ms, DIRECT / F(4x4) / F(2x2)): 512->512 7x7 3.9 / 4.5 / 2.7 (two
// threads 2.75 / - / 2.05), 256->256 7x7 1.38 / - / 0.91, 128->128 7x7 0.38 / 0.40 / 0.28, 64->64 7x7 0.115 /
// 0.152 / 0.104, 32->32 7x7 0.038 / 0.057 / 0.039, 512->512 8x8 4.9 / 5.2 / 3.0, 256->256 6x6 1.16 / 1.51 / 0.95,
// 512->512 5x5 2.6 / 4.8 / 2.9, 128->128 9x9 0.60 / 0.57 / 0.51, 256->256 10x10 2.4 / 1.73 / 1.69, 11x11 2.7 /
// 1.75 / 2.2, 12x12 3.1 / 1.7 / 2.2, 512->512 7x7 batch 2 5.95 / 4.84 / 5.12, batch 4 11.7 / 5.9 / 9.4; weights
// hot, 7x7 batch 2: 128->128 0.39 / 0.31 / 0.34, 64->64 0.146 / 0.165 / 0.142, 32->32 0.030 / 0.042 / 0.039.
// So: F(4x4) from 16 tiles (over the batch), or from 8 when it wastes little and has 128+ input channels; else
// F(2x2) from 9 tiles when it wastes little and has 32+ input channels to pay for the transforms; else DIRECT.
constexpr int64_t kWinogradTiles = 16;
constexpr int64_t kWinogradTilesTight = 8;  // enough tiles when computed outputs are at most kTightWaste x real
constexpr int64_t kWinogradTightMinChannels = 128;
constexpr int64_t kWinograd2x2Tiles = 9;
constexpr int64_t kWinograd2x2MinChannels = 32;
constexpr double kTightWaste = 1.35;  // 7x7 in 2x2 tiles: 64 / 49 = 1.31; 5x5: 36 / 25 = 1.44

// 1x1 unpadded convolutions (any stride) onto maps of at most kDirect1x1Pixels go to DIRECT, which packs their input
// into pixel-tile panels and keeps output channels in the vector lanes: no lane is wasted on a 49-pixel map (the
// GEMM's pixel lanes compute 56) and the next weights are prefetched while a chunk computes. In MobileNetV2 and
// ResNet-50 at one thread (per-layer profile, ms, GEMM_1X1 or IM2COL_GEMM vs DIRECT): 320->1280 7x7 0.68 vs 0.53,
// 960->320 7x7 0.46 vs 0.39, 576->160 7x7 0.155 vs 0.135, 512->2048 7x7 (x3) 4.7 vs 3.9, 2048->512 7x7 (x2) 2.9 vs
// 2.6, 1024->2048 /2 14x14 3.1 vs 2.6. On 14x14 (three DIRECT bands) the GEMM still wins (576->96 0.25 vs 0.28).
constexpr int64_t kDirect1x1Pixels = 96;

bool is_1x1_small_map(const ConvShape& s) { return s.unpadded_1x1() && s.out_plane() <= kDirect1x1Pixels; }

// F(r x r) tiles of one image, and whether the outputs they compute are at most kTightWaste x the real ones.
int64_t winograd_tiles(const ConvShape& s, int64_t r) { return ceil_div(s.oh, r) * ceil_div(s.ow, r); }
bool winograd_tight(const ConvShape& s, int64_t r) {
  return static_cast<double>(winograd_tiles(s, r) * r * r) <= kTightWaste * static_cast<double>(s.out_plane());
}

bool prefers_winograd(const ConvShape& s, int64_t batch) {
  if (unsupported(C4J_ALGO_WINOGRAD, s) != nullptr) return false;
  const int64_t tiles = batch * winograd_tiles(s, 4);
  return tiles >= kWinogradTiles ||
         (tiles >= kWinogradTilesTight && s.icg() >= kWinogradTightMinChannels && winograd_tight(s, 4));
}

bool prefers_winograd_2x2(const ConvShape& s) {
  return unsupported(C4J_ALGO_WINOGRAD_2X2, s) == nullptr && s.icg() >= kWinograd2x2MinChannels &&
         winograd_tiles(s, 2) >= kWinograd2x2Tiles && winograd_tight(s, 2);
}

// The batch from which an AUTO plan that chose DIRECT or WINOGRAD_2X2 runs WINOGRAD instead, or 0.
int64_t winograd_batch(const ConvShape& s, int algo) {
  if ((algo != C4J_ALGO_DIRECT && algo != C4J_ALGO_WINOGRAD_2X2) || unsupported(C4J_ALGO_WINOGRAD, s) != nullptr)
    return 0;
  int64_t b = 2;
  while (!prefers_winograd(s, b)) ++b;  // at most kWinogradTiles
  return b;
}

// The plan a run of `batch` images uses: p itself, or its WINOGRAD twin (made once; nullptr when out of memory).
const Conv2dPlan* plan_for_batch(const Conv2dPlan& p, int64_t batch) {
  if (p.winograd_batch == 0 || batch < p.winograd_batch) return &p;
  std::call_once(p.batched_once, [&p] {
    try {
      auto twin = std::make_unique<Conv2dPlan>(p.s, p.pad, p.act, C4J_ALGO_WINOGRAD);
      twin->bias = p.bias;
      conv2d_winograd_pack(*twin, p.oihw.data());
      p.batched = std::move(twin);
      std::vector<float>().swap(p.oihw);
    } catch (const std::bad_alloc&) {
      p.batched.reset();  // stays null: every such run reports out of memory
    }
  });
  return p.batched.get();
}

int choose(const ConvShape& s) {
  if (is_depthwise(s) && s.ic > 1) return C4J_ALGO_DEPTHWISE;
  if (is_1x1_small_map(s)) return C4J_ALGO_DIRECT;
  if (is_1x1(s)) return C4J_ALGO_GEMM_1X1;
  if (s.kh == 1 && s.kw == 1) return C4J_ALGO_IM2COL_GEMM;  // strided or padded 1x1: the panel is a cheap gather
  if (s.groups == 1 && s.ic <= 4 && s.ic * s.taps() < 64) return C4J_ALGO_IM2COL_GEMM;  // 3x3 RGB stems
  if (im2col_stem_phases(s)) return C4J_ALGO_IM2COL_GEMM;  // larger stride-2 stems: no panel to build
  if (prefers_winograd(s, 1)) return C4J_ALGO_WINOGRAD;
  if (prefers_winograd_2x2(s)) return C4J_ALGO_WINOGRAD_2X2;
  return C4J_ALGO_DIRECT;
}

}  // namespace
}  // namespace c4j

using namespace c4j;

extern "C" int64_t c4j_conv2d_create(const int32_t* params, int32_t nparams, const float* weight, int64_t weight_len,
                                     const float* bias, int64_t bias_len, float act_a, float act_b, int32_t algo) {
  ConvShape s{};
  Padding pad;
  if (validate(params, nparams, s, pad) != C4J_OK) return 0;
  const Activation act{params[C4J_CP_ACT], act_a, act_b};
  if (validate_buffers(s, act, weight, weight_len, bias, bias_len) != C4J_OK) return 0;
  if (algo < C4J_ALGO_AUTO || algo > C4J_ALGO_WINOGRAD_2X2) {
    fail(C4J_ERR_ARG, "algo must be one of C4J_ALGO_* (0..6), got %d", algo);
    return 0;
  }
  if (!require_isa()) return 0;  // nothing above touched a template shared with the AVX2 files
  if (algo != C4J_ALGO_AUTO) {
    if (const char* why = unsupported(algo, s)) {
      fail(C4J_ERR_UNSUPPORTED, "conv2d algorithm %s %s", algo_name(algo), why);
      return 0;
    }
  }
  Conv2dPlan* plan = new (std::nothrow) Conv2dPlan(s, pad, act, algo == C4J_ALGO_AUTO ? choose(s) : algo);
  if (plan == nullptr) {
    fail(C4J_ERR_NOMEM, "out of memory creating a conv2d plan");
    return 0;
  }
  try {
    if (bias != nullptr) plan->bias.assign(bias, bias + bias_len);
    if (algo == C4J_ALGO_AUTO) plan->winograd_batch = winograd_batch(s, plan->algo);
    if (plan->winograd_batch > 0) plan->oihw.assign(weight, weight + weight_len);
    switch (plan->algo) {
      case C4J_ALGO_DIRECT: conv2d_direct_pack(*plan, weight); break;
      case C4J_ALGO_DEPTHWISE: conv2d_depthwise_pack(*plan, weight); break;
      case C4J_ALGO_WINOGRAD:
      case C4J_ALGO_WINOGRAD_2X2: conv2d_winograd_pack(*plan, weight); break;
      default: conv2d_im2col_gemm_pack(*plan, weight); break;  // IM2COL_GEMM and GEMM_1X1: 4-channel panels
    }
  } catch (const std::bad_alloc&) {
    delete plan;
    fail(C4J_ERR_NOMEM, "out of memory packing conv2d weights");
    return 0;
  }
  return to_handle(plan);
}

extern "C" int32_t c4j_conv2d_algo(int64_t handle) { return c4j_conv2d_algo_for_batch(handle, 1); }

extern "C" int32_t c4j_conv2d_algo_for_batch(int64_t handle, int32_t batch) {
  const auto* plan = plan_cast<Conv2dPlan>(handle, PlanKind::Conv2d);
  if (plan == nullptr) return C4J_ERR_HANDLE;
  if (batch < 1) return fail(C4J_ERR_ARG, "batch must be >= 1, got %d", batch);
  return plan->winograd_batch > 0 && batch >= plan->winograd_batch ? C4J_ALGO_WINOGRAD : plan->algo;
}

extern "C" int32_t c4j_conv2d_run(int64_t handle, int32_t batch, const float* x, int64_t x_len, int64_t x_off,
                                  float* y, int64_t y_len, int64_t y_off, const float* residual, int64_t r_len,
                                  int64_t r_off) {
  const auto* plan = plan_cast<Conv2dPlan>(handle, PlanKind::Conv2d);
  if (plan == nullptr) return C4J_ERR_HANDLE;
  const ConvShape& s = plan->s;
  const int64_t x_image = s.ic * plan->pad.in_h * plan->pad.in_w, y_image = s.oc * s.oh * s.ow;
  if (const int32_t st = check_run("conv2d", batch, x, x_len, x_off, x_image, y, y_len, y_off, y_image)) return st;
  const int64_t ny = batch * y_image;  // per-image sizes < 2^40 (create), batch < 2^31: fits int64
  ConvRun run{batch, x + x_off, y + y_off, nullptr, false};
  if (residual != nullptr) {
    C4J_CHECK_SPAN("residual", residual, r_len, r_off, ny);
    run.residual = residual + r_off;
    if (run.residual == run.y) {
      run.residual = nullptr;  // in place: y holds the residual, kernels add to it
      run.accumulate = true;
    } else if (overlaps(run.residual, ny, run.y, ny)) {
      return fail(C4J_ERR_ARG, "residual overlaps y without coinciding with it");
    }
  } else if (r_len != 0) {
    return fail(C4J_ERR_ARG, "r_len must be 0 without a residual, got %lld", static_cast<long long>(r_len));
  }

  const Padding& pad = plan->pad;
  if (pad.mode != C4J_PAD_ZEROS) {
    const int64_t planes = batch * s.ic;
    float* padded = scratch(0, static_cast<size_t>(planes * s.h * s.w));  // slot 0: the caller's; kernels use 1+
    if (padded == nullptr) return fail(C4J_ERR_NOMEM, "out of memory for the padded conv2d input");
    const float* src = run.x;
    parallel_for(planes, [&](int64_t lo, int64_t hi) {
      pad2d(src + lo * pad.in_h * pad.in_w, padded + lo * s.h * s.w, hi - lo, pad.in_h, pad.in_w, pad.t, pad.l,
            pad.b, pad.r, pad.mode);
    });
    run.x = padded;
  }
  const Conv2dPlan* use = plan_for_batch(*plan, batch);
  if (use == nullptr) return fail(C4J_ERR_NOMEM, "out of memory transforming conv2d weights for WINOGRAD");
  switch (use->algo) {
    case C4J_ALGO_DIRECT: return conv2d_direct_run(*use, run);
    case C4J_ALGO_IM2COL_GEMM: return conv2d_im2col_gemm_run(*use, run);
    case C4J_ALGO_GEMM_1X1: return conv2d_gemm_1x1_run(*use, run);
    case C4J_ALGO_DEPTHWISE: return conv2d_depthwise_run(*use, run);
    case C4J_ALGO_WINOGRAD:
    case C4J_ALGO_WINOGRAD_2X2: return conv2d_winograd_run(*use, run);
    default: return fail(C4J_ERR_UNSUPPORTED, "conv2d algorithm %d cannot run", use->algo);
  }
}
