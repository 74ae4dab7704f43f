// The conv_transpose2d plan shared by the entry points (conv_transpose2d.cpp, baseline ISA) and the kernels
// (conv_transpose2d_col2im_avx2.cpp, conv_transpose2d_phase_avx2.cpp). Plain data only.
#pragma once
#include <cstdint>
#include <vector>

#include "epilogue.h"
#include "plan.h"
#include "page_arena.h"

namespace c4j {

// One axis of the sub-pixel (phase) decomposition. Output index t with t + pad = s*q + r (phase r) only receives
// kernel taps k with k*d = r (mod s), from input index q - e, e = (k*d - r) / s >= 0. Phase r's taps are
// k[start[r] .. start[r+1]) in ascending k (so ascending e), their offsets e likewise.
struct PhaseAxis {
  std::vector<int64_t> start;  // s + 1 entries
  std::vector<int64_t> k, e;
  int64_t taps(int64_t r) const { return start[r + 1] - start[r]; }
};

struct ConvTranspose2dPlan : Plan {
  ConvTranspose2dPlan() : Plan(PlanKind::ConvTranspose2d) {}
  int64_t ic = 0, h = 0, w = 0, oc = 0, kh = 0, kw = 0, sh = 0, sw = 0, pt = 0, pl = 0, dh = 0, dw = 0;
  int64_t groups = 0, oh = 0, ow = 0;
  Activation act;
  // Per group g, the row-major [ocg*kh*kw][icg] matrix W_g^T (IOHW transposed), packed at create: row
  // (ocg, ki, kj) of the SGEMM's A holds every input channel's weight for that output channel and tap.
  WeightVector weight;
  std::vector<float> bias;  // oc floats, or empty
  // The phase path (set at create by conv_transpose2d_use_phase): weight holds its packing instead of W^T.
  bool phase = false;
  PhaseAxis rows, cols;
  int64_t pad_l = 0, pad_r = 0;  // zero columns around each row of the phase path's channels-last input copy
  int64_t icg() const { return ic / groups; }
  int64_t ocg() const { return oc / groups; }
  int64_t taps() const { return kh * kw; }
  int64_t in_plane() const { return h * w; }
  int64_t out_plane() const { return oh * ow; }
  // 1x1, stride 1, no padding: the SGEMM's columns are the output planes themselves (no col2im).
  bool gemm_only() const {
    return kh == 1 && kw == 1 && sh == 1 && sw == 1 && pt == 0 && pl == 0 && oh == h && ow == w;
  }
};

// y (batch images) = act(conv_transpose(x) + bias), parallel inside. C4J_OK or a failed status (c4j_last_error).
int32_t conv_transpose2d_col2im_run(const ConvTranspose2dPlan& p, int64_t batch, const float* x, float* y);

// True when AUTO picks the phase path for this configuration (measured choice, see conv_transpose2d.cpp).
bool conv_transpose2d_use_phase(const ConvTranspose2dPlan& p);

// Sets p.rows / p.cols / p.pad_l / p.pad_r and packs the IOHW weights for the phase path; sets p.phase.
void conv_transpose2d_phase_pack(ConvTranspose2dPlan& p, const float* w);

// The same contract as conv_transpose2d_col2im_run, by sub-pixel decomposition (p.phase must be set).
int32_t conv_transpose2d_phase_run(const ConvTranspose2dPlan& p, int64_t batch, const float* x, float* y);

}  // namespace c4j
