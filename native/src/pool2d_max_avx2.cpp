// pool2d MAX (dilation, ceil_mode; padding acts as -inf, NaN propagates): separable max, AVX2 over the input row
// (vertical) and over output columns (horizontal: stride 1 loads, stride 2 de-interleaved loads, else gathers).
#include "pool2d_separable_avx2.h"

namespace c4j {
namespace {

// Max needs no finishing: the reduced value is the output.
struct Store {
  __m256 v(int64_t, __m256 m) const { return m; }
  float s(int64_t, float m) const { return m; }
};

}  // namespace

int32_t pool2d_max_run(const Pool2dPlan& p, int64_t batch, const float* x, float* y) {
  return pool::run_windows<pool::MaxOp>(p, batch, x, y, [](int64_t) { return Store{}; });
}

}  // namespace c4j
