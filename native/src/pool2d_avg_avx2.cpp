// pool2d AVG (padding, ceil_mode, count_include_pad): separable sum, AVX2 as for MAX, then PyTorch's divisor,
// stored factored per output row and column by the plan (row_div[r] * col_div[o]: the window clipped to
// in + pad_after when count_include_pad, else to the input).
#include "pool2d_separable_avx2.h"

namespace c4j {
namespace {

// sum / (row_div * col_div): the float product of the two integer factors rounds like an int divisor converted
// to float (exact below 2^24).
struct Divide {
  float row_div;
  const float* col_div;
  __m256 v(int64_t o, __m256 sum) const {
    return _mm256_div_ps(sum, _mm256_mul_ps(_mm256_set1_ps(row_div), _mm256_loadu_ps(col_div + o)));
  }
  float s(int64_t o, float sum) const { return sum / (row_div * col_div[o]); }
};

}  // namespace

int32_t pool2d_avg_run(const Pool2dPlan& p, int64_t batch, const float* x, float* y) {
  return pool::run_windows<pool::SumOp>(p, batch, x, y,
                                        [&p](int64_t r) { return Divide{p.row_div[r], p.col_div.data()}; });
}

}  // namespace c4j
