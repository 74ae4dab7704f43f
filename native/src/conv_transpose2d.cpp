// conv_transpose2d entry points (baseline ISA): validate the parameter block with PyTorch's rules, pick and pack
// a kernel once (sub-pixel phases, conv_transpose2d_phase_avx2.cpp, or SGEMM + col2im with W^T per group,
// conv_transpose2d_col2im_avx2.cpp), and run with every buffer span checked against the plan's own sizes.
#include <algorithm>
#include <new>

#include "conv_transpose2d.h"
#include "op_checks.h"

namespace c4j {
namespace {

// PyTorch's output size along one axis: (in - 1)*s - p0 - p1 + d*(k - 1) + op + 1 (int32 inputs: int64 is exact).
int64_t out_size(int64_t in, int64_t s, int64_t p0, int64_t p1, int64_t d, int64_t k, int64_t op) {
  return (in - 1) * s - p0 - p1 + d * (k - 1) + op + 1;
}

int32_t validate(const int32_t* p, int32_t n, ConvTranspose2dPlan& s) {
  if (p == nullptr) return fail(C4J_ERR_ARG, "params is null");
  if (n != C4J_CP_COUNT) return fail(C4J_ERR_ARG, "nparams must be %d (C4J_CP_COUNT), got %d", C4J_CP_COUNT, n);
  for (int i : {C4J_CP_IN_C, C4J_CP_IN_H, C4J_CP_IN_W, C4J_CP_OUT_C, C4J_CP_KH, C4J_CP_KW, C4J_CP_SH, C4J_CP_SW,
                C4J_CP_DH, C4J_CP_DW, C4J_CP_GROUPS})
    if (p[i] < 1) return fail(C4J_ERR_ARG, "%s must be >= 1, got %d", conv_param_name(i), p[i]);
  for (int i : {C4J_CP_PAD_T, C4J_CP_PAD_L, C4J_CP_PAD_B, C4J_CP_PAD_R, C4J_CP_OUT_PAD_H, C4J_CP_OUT_PAD_W})
    if (p[i] < 0) return fail(C4J_ERR_ARG, "%s must be >= 0, got %d", conv_param_name(i), p[i]);
  for (int i : {C4J_CP_IN_C, C4J_CP_OUT_C})
    if (p[i] % p[C4J_CP_GROUPS] != 0)
      return fail(C4J_ERR_ARG, "%s must be divisible by groups, got %s=%d, groups=%d", conv_param_name(i),
                  conv_param_name(i), p[i], p[C4J_CP_GROUPS]);
  if (p[C4J_CP_PAD_MODE] != C4J_PAD_ZEROS)
    return fail(C4J_ERR_ARG, "padding_mode must be C4J_PAD_ZEROS (0) for conv_transpose2d (PyTorch), got %d",
                p[C4J_CP_PAD_MODE]);
  // PyTorch: output_padding < max(stride, dilation), else it would add rows no input reaches
  const int axes[2][5] = {{C4J_CP_OUT_PAD_H, C4J_CP_SH, C4J_CP_DH, C4J_CP_IN_H, C4J_CP_PAD_T},
                          {C4J_CP_OUT_PAD_W, C4J_CP_SW, C4J_CP_DW, C4J_CP_IN_W, C4J_CP_PAD_L}};
  int64_t out[2];
  for (int a = 0; a < 2; ++a) {
    const int op = axes[a][0], st = axes[a][1], di = axes[a][2], in = axes[a][3], p0 = axes[a][4];
    if (p[op] >= std::max(p[st], p[di]))
      return fail(C4J_ERR_ARG, "%s must be smaller than max(%s, %s) (PyTorch), got %s=%d, %s=%d, %s=%d",
                  conv_param_name(op), conv_param_name(st), conv_param_name(di), conv_param_name(op), p[op],
                  conv_param_name(st), p[st], conv_param_name(di), p[di]);
    const int p1 = p0 + 2, k = a == 0 ? C4J_CP_KH : C4J_CP_KW;  // PAD_B / PAD_R follow PAD_T / PAD_L by 2
    out[a] = out_size(p[in], p[st], p[p0], p[p1], p[di], p[k], p[op]);
    if (out[a] < 1)
      return fail(C4J_ERR_ARG, "output %s (%d-1)*%d - %d - %d + %d*(%d-1) + %d + 1 = %lld must be >= 1",
                  a == 0 ? "height" : "width", p[in], p[st], p[p0], p[p1], p[di], p[k], p[op],
                  static_cast<long long>(out[a]));
  }
  s.ic = p[C4J_CP_IN_C], s.h = p[C4J_CP_IN_H], s.w = p[C4J_CP_IN_W], s.oc = p[C4J_CP_OUT_C];
  s.kh = p[C4J_CP_KH], s.kw = p[C4J_CP_KW], s.sh = p[C4J_CP_SH], s.sw = p[C4J_CP_SW];
  s.pt = p[C4J_CP_PAD_T], s.pl = p[C4J_CP_PAD_L], s.dh = p[C4J_CP_DH], s.dw = p[C4J_CP_DW];
  s.groups = p[C4J_CP_GROUPS], s.oh = out[0], s.ow = out[1];
  s.act = Activation{p[C4J_CP_ACT], 0.f, 0.f};
  // every buffer the plan computes with, including one group's SGEMM columns, bounded so no product overflows
  if (volume({s.ic, s.h, s.w}) < 0 || volume({s.oc, s.oh, s.ow}) < 0 || volume({s.ic, s.ocg(), s.kh, s.kw}) < 0 ||
      volume({s.ocg(), s.kh, s.kw, s.h, s.w}) < 0)
    return fail(C4J_ERR_ARG, "conv_transpose2d sizes too large: a tensor of this configuration exceeds 2^40 floats");
  if (s.h * s.w > INT32_MAX || s.oh * s.ow > INT32_MAX || s.ocg() * s.taps() > INT32_MAX)
    return fail(C4J_ERR_ARG, "conv_transpose2d sizes too large: an image plane or out_channels/groups*kernel_h*"
                "kernel_w exceeds the BLAS int range 2^31-1");
  return C4J_OK;
}

// IOHW [ic][ocg][kh][kw] -> per group [ocg*kh*kw][icg]: within a group the IOHW block is [icg][ocg*kh*kw].
void pack(ConvTranspose2dPlan& p, const float* w) {
  const int64_t icg = p.icg(), m = p.ocg() * p.taps();
  p.weight.resize(static_cast<size_t>(p.ic * m));
  for (int64_t g = 0; g < p.groups; ++g) {
    const float* src = w + g * icg * m;
    float* dst = p.weight.data() + g * m * icg;
    for (int64_t i = 0; i < icg; ++i)
      for (int64_t r = 0; r < m; ++r) dst[r * icg + i] = src[i * m + r];
  }
}

}  // namespace

// AUTO picks the phase path unless SGEMM writes y directly (1x1 stride 1) or the phase kernel's channel lanes
// (blocks of 16, the last of 8 when <= 8 channels remain) would be more than 40% padding: its time follows the
// padded lanes, SGEMM's the real channels. Measured (1 thread, best of 300, 4x4 s2 p1 64->ocg @32, phase/GEMM
// time): ocg 1: 3.91, 3: 1.60, 4: 1.33, 6: 0.93, 8: 0.75, 9: 0.99, 12: 0.83, 17: 1.05, 24: 0.77, 40: 0.65;
// 3x3 s2 p1 op1 128->64 @28: 0.77; 4x4 s2 p1 256->128 @14: 0.75; 2x2 s2 256->128 @14: 0.92;
// 3x3 s1 p1 128->128 @14: 0.65; 4x4 s2 p1 3->64 @32: 0.33; groups 64, 64->512 (1 in, 8 out per group): 0.28,
// 512->64 (8 in, 1 out): 2.54.
bool conv_transpose2d_use_phase(const ConvTranspose2dPlan& p) {
  if (p.gemm_only()) return false;
  const int64_t ocg = p.ocg(), rest = ocg % 16, lanes = ocg - rest + (rest == 0 ? 0 : rest <= 8 ? 8 : 16);
  return lanes * 5 <= ocg * 7;
}

}  // namespace c4j

using namespace c4j;

extern "C" int64_t c4j_conv_transpose2d_create(const int32_t* params, int32_t nparams, const float* weight,
                                               int64_t weight_len, const float* bias, int64_t bias_len, float act_a,
                                               float act_b) {
  ConvTranspose2dPlan s;
  if (validate(params, nparams, s) != C4J_OK) return 0;
  if (check_activation(params[C4J_CP_ACT], act_a, act_b) != C4J_OK) return 0;
  s.act.a = act_a, s.act.b = act_b;
  const int64_t wn = s.ic * s.ocg() * s.taps();
  if (weight == nullptr) {
    fail(C4J_ERR_ARG, "weight is null");
    return 0;
  }
  if (weight_len != wn) {
    fail(C4J_ERR_ARG, "weight_len must be in_channels*(out_channels/groups)*kernel_h*kernel_w = %lld (IOHW), got %lld",
         static_cast<long long>(wn), static_cast<long long>(weight_len));
    return 0;
  }
  if (check_bias(bias, bias_len, s.oc, "out_channels") != C4J_OK) return 0;
  if (!require_isa()) return 0;
  auto* plan = new (std::nothrow) ConvTranspose2dPlan(s);
  if (plan == nullptr) {
    fail(C4J_ERR_NOMEM, "out of memory creating a conv_transpose2d plan");
    return 0;
  }
  try {
    if (conv_transpose2d_use_phase(*plan)) {
      conv_transpose2d_phase_pack(*plan, weight);
    } else {
      pack(*plan, weight);
    }
    if (bias != nullptr) plan->bias.assign(bias, bias + bias_len);
  } catch (const std::bad_alloc&) {
    delete plan;
    fail(C4J_ERR_NOMEM, "out of memory packing conv_transpose2d weights");
    return 0;
  }
  return to_handle(plan);
}

extern "C" int32_t c4j_conv_transpose2d_run(int64_t handle, int32_t batch, const float* x, int64_t x_len,
                                            int64_t x_off, float* y, int64_t y_len, int64_t y_off) {
  const auto* plan = plan_cast<ConvTranspose2dPlan>(handle, PlanKind::ConvTranspose2d);
  if (plan == nullptr) return C4J_ERR_HANDLE;
  if (const int32_t st = check_run("conv_transpose2d", batch, x, x_len, x_off, plan->ic * plan->in_plane(), y, y_len,
                                   y_off, plan->oc * plan->out_plane()))
    return st;
  return plan->phase ? conv_transpose2d_phase_run(*plan, batch, x + x_off, y + y_off)
                     : conv_transpose2d_col2im_run(*plan, batch, x + x_off, y + y_off);
}
