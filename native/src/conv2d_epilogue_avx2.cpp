// conv2d's epilogue over a tile the kernel just wrote (still in cache): y = act(y + bias + residual) per channel row.
#include "conv2d.h"

namespace c4j {

void conv2d_epilogue_rows(const Conv2dPlan& p, float* y, const float* residual, int64_t oc0, int64_t rows,
                          int64_t n, int64_t stride) {
  if (p.act.act == C4J_ACT_NONE && p.bias.empty() && residual == nullptr) return;
  for (int64_t r = 0; r < rows; ++r)
    epilogue_row(y + r * stride, y + r * stride, n, p.bias_at(oc0 + r),
                 residual == nullptr ? nullptr : residual + r * stride, p.act);
}

}  // namespace c4j
