// Elementwise entry points (baseline ISA): c4j_activation, c4j_softmax, c4j_add. Each checks its arguments and
// spans, then require_isa() before the AVX2 code (epilogue_row, elementwise_avx2.cpp). y may be the input itself
// (same memory, in place) but not overlap it at another offset: the vector loops read ahead of what they write.
// Large calls are split over the library's threads.
#include <algorithm>
#include <cstring>

#include "elementwise.h"
#include "op_checks.h"
#include "plan.h"
#include "thread_pool.h"

namespace c4j {
namespace {

constexpr int64_t kParallelFloats = 64 * 1024;  // below this, waking threads costs more than it saves
constexpr int64_t kChunk = 16 * 1024;           // floats per parallel part of a flat op

// In place (same start) or disjoint; any other overlap fails.
int32_t check_alias(const char* in_name, const float* in, const float* out, int64_t n) {
  if (in != out && overlaps(in, n, out, n))
    return fail(C4J_ERR_ARG, "y overlaps %s at a different offset: only exact in-place (same offset) is supported",
                in_name);
  return C4J_OK;
}

// A unary op's spans: x and y inside their buffers for n floats, in place or disjoint; then the ISA check.
int32_t check_unary(const float* x, int64_t x_len, int64_t x_off, const float* y, int64_t y_len, int64_t y_off,
                    int64_t n) {
  C4J_CHECK_SPAN("x", x, x_len, x_off, n);
  C4J_CHECK_SPAN("y", y, y_len, y_off, n);
  if (const int32_t st = check_alias("x", x + x_off, y + y_off, n)) return st;
  return require_isa() ? C4J_OK : C4J_ERR_ISA;
}

// fn(lo, hi) over [0, n) in parts of kChunk, in parallel when n is large.
template <typename F>
void for_chunks(int64_t n, const F& fn) {
  if (n < kParallelFloats) {
    fn(0, n);
    return;
  }
  parallel_for((n + kChunk - 1) / kChunk, [&](int64_t lo, int64_t hi) { fn(lo * kChunk, std::min(n, hi * kChunk)); });
}

}  // namespace
}  // namespace c4j

using namespace c4j;

extern "C" int32_t c4j_activation(int32_t act, float act_a, float act_b, const float* x, int64_t x_len, int64_t x_off,
                                  float* y, int64_t y_len, int64_t y_off, int64_t count) {
  if (const int32_t st = check_activation(act, act_a, act_b)) return st;
  if (count < 0) return fail(C4J_ERR_ARG, "count must be >= 0, got %lld", static_cast<long long>(count));
  if (const int32_t st = check_unary(x, x_len, x_off, y, y_len, y_off, count)) return st;
  const float* xs = x + x_off;
  float* ys = y + y_off;
  if (act == C4J_ACT_NONE) {
    if (xs != ys) std::memcpy(ys, xs, sizeof(float) * count);
    return C4J_OK;
  }
  for_chunks(count, [&](int64_t lo, int64_t hi) {
    epilogue_row(xs + lo, ys + lo, hi - lo, 0.f, nullptr, act, act_a, act_b);
  });
  return C4J_OK;
}

extern "C" int32_t c4j_softmax(const float* x, int64_t x_len, int64_t x_off, float* y, int64_t y_len, int64_t y_off,
                               int64_t outer, int64_t dim, int64_t inner, int32_t log) {
  if (outer < 1) return fail(C4J_ERR_ARG, "outer must be >= 1, got %lld", static_cast<long long>(outer));
  if (dim < 1) return fail(C4J_ERR_ARG, "dim must be >= 1, got %lld", static_cast<long long>(dim));
  if (inner < 1) return fail(C4J_ERR_ARG, "inner must be >= 1, got %lld", static_cast<long long>(inner));
  if (log != 0 && log != 1) return fail(C4J_ERR_ARG, "log must be 0 or 1, got %d", log);
  const int64_t n = volume({outer, dim, inner});
  if (n < 0) return fail(C4J_ERR_ARG, "softmax of outer*dim*inner floats exceeds 2^40");
  if (const int32_t st = check_unary(x, x_len, x_off, y, y_len, y_off, n)) return st;
  const float* xs = x + x_off;
  float* ys = y + y_off;
  const int64_t units = outer * softmax_blocks(inner);
  const auto run = [&](int64_t lo, int64_t hi) { softmax_avx2(xs, ys, lo, hi, dim, inner, log == 1); };
  if (n < kParallelFloats) {
    run(0, units);
  } else {
    parallel_for(units, run);
  }
  return C4J_OK;
}

extern "C" int32_t c4j_add(const float* a, int64_t a_len, int64_t a_off, const float* b, int64_t b_len, int64_t b_off,
                           float* y, int64_t y_len, int64_t y_off, int64_t count) {
  if (count < 0) return fail(C4J_ERR_ARG, "count must be >= 0, got %lld", static_cast<long long>(count));
  C4J_CHECK_SPAN("a", a, a_len, a_off, count);
  C4J_CHECK_SPAN("b", b, b_len, b_off, count);
  C4J_CHECK_SPAN("y", y, y_len, y_off, count);
  const float *as = a + a_off, *bs = b + b_off;
  float* ys = y + y_off;
  if (const int32_t st = check_alias("a", as, ys, count)) return st;
  if (const int32_t st = check_alias("b", bs, ys, count)) return st;
  if (!require_isa()) return C4J_ERR_ISA;
  for_chunks(count, [&](int64_t lo, int64_t hi) { add_avx2(as + lo, bs + lo, ys + lo, hi - lo); });
  return C4J_OK;
}
