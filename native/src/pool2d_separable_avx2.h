// Separable pooling for the AVX2 kernels (include only from *_avx2.cpp). A pooling window is a rectangle, so a
// max or sum over it is a reduction over its rows (vertical pass: whole input rows, contiguous, 8 lanes at a time)
// followed by a reduction over its columns of that row (horizontal pass). Both passes are templated on the op.
#pragma once
#include <immintrin.h>

#include <algorithm>
#include <atomic>
#include <cmath>

#include "epilogue_avx2.h"
#include "pool2d.h"
#include "thread_pool.h"

namespace c4j {
namespace pool {

// max that propagates NaN like PyTorch: (x > acc || isnan(x)) ? x : acc, in both forms (bit-identical results).
struct MaxOp {
  static float identity() { return -INFINITY; }  // padding never wins
  static __m256 v(__m256 acc, __m256 x) {
    return _mm256_blendv_ps(_mm256_max_ps(x, acc), x, _mm256_cmp_ps(x, x, _CMP_UNORD_Q));
  }
  static float s(float acc, float x) { return x > acc || x != x ? x : acc; }
};

struct SumOp {
  static float identity() { return 0.f; }  // padding adds nothing (the divisor counts it)
  static __m256 v(__m256 acc, __m256 x) { return _mm256_add_ps(acc, x); }
  static float s(float acc, float x) { return acc + x; }
};

// out[i] = op over the rows of rs of plane[row * w + i], i < w; the identity when rs is empty.
template <typename Op>
void reduce_rows(const float* plane, int64_t w, const RowSet& rs, float* out) {
  if (rs.count == 0) {
    for (int64_t i = 0; i < w; ++i) out[i] = Op::identity();
    return;
  }
  const float* first = plane + rs.first * w;
  const int64_t step = rs.step * w;
  int64_t i = 0;
  for (; i + 16 <= w; i += 16) {  // two vectors in flight
    __m256 a = _mm256_loadu_ps(first + i), b = _mm256_loadu_ps(first + i + 8);
    for (int64_t j = 1; j < rs.count; ++j) {
      const float* row = first + j * step;
      a = Op::v(a, _mm256_loadu_ps(row + i));
      b = Op::v(b, _mm256_loadu_ps(row + i + 8));
    }
    _mm256_storeu_ps(out + i, a);
    _mm256_storeu_ps(out + i + 8, b);
  }
  for (; i < w; i += 8) {  // one vector, then the masked tail (7x7 planes of global pooling are all tail)
    const __m256i m = avx2::tail_mask(std::min<int64_t>(8, w - i));
    __m256 a = _mm256_maskload_ps(first + i, m);
    for (int64_t j = 1; j < rs.count; ++j) a = Op::v(a, _mm256_maskload_ps(first + j * step + i, m));
    _mm256_maskstore_ps(out + i, m, a);
  }
}

// Lanes 0..7 of b[o0*sw + lane*sw] (sw = S, or any stride when S == 0 via a gather).
template <int S>
inline __m256 load_strided(const float* b, int64_t i0, int64_t sw) {
  if constexpr (S == 1) {
    return _mm256_loadu_ps(b + i0);
  } else if constexpr (S == 2) {
    const __m256 e = _mm256_shuffle_ps(_mm256_loadu_ps(b + i0), _mm256_loadu_ps(b + i0 + 8), _MM_SHUFFLE(2, 0, 2, 0));
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(e), _MM_SHUFFLE(3, 1, 2, 0)));
  } else {
    const __m256i idx = _mm256_mullo_epi32(_mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7),
                                           _mm256_set1_epi32(static_cast<int>(sw)));
    return _mm256_i32gather_ps(b + i0, idx, 4);
  }
}

// Horizontal pass of one output row from the padded row buffer b: out[o] = finish(o, op over kj of
// b[o*sw + kj*dw]). Vectors of 8 outputs, then single outputs for the row's tail.
template <typename Op, int S, typename Finish>
void reduce_cols(const Pool2dPlan& p, const float* b, float* out, const Finish& finish) {
  int64_t o = 0;
  for (; o + 8 <= p.ow; o += 8) {
    const float* base = b + o * p.sw;
    __m256 acc = load_strided<S>(base, 0, p.sw);
    for (int64_t kj = 1; kj < p.kw; ++kj) acc = Op::v(acc, load_strided<S>(base, kj * p.dw, p.sw));
    _mm256_storeu_ps(out + o, finish.v(o, acc));
  }
  for (; o < p.ow; ++o) {
    const float* base = b + o * p.sw;
    float acc = base[0];
    for (int64_t kj = 1; kj < p.kw; ++kj) acc = Op::s(acc, base[kj * p.dw]);
    out[o] = finish.s(o, acc);
  }
}

// 2x2 windows at stride 2 (Pool2dPlan::pairs2x2): output (r, o) = finish(op(op(x[2r][2o], x[2r+1][2o]),
// op(x[2r][2o+1], x[2r+1][2o+1]))), the separable order, in one pass: no row buffer, even and odd columns split
// in registers.
template <typename Op, typename MakeFinish>
void pairs_plane(const Pool2dPlan& p, const float* xp, float* yp, const MakeFinish& make_finish) {
  for (int64_t r = 0; r < p.oh; ++r) {
    const float* a = xp + 2 * r * p.iw;
    const float* b = a + p.iw;
    float* out = yp + r * p.ow;
    const auto finish = make_finish(r);
    int64_t o = 0;
    for (; o + 8 <= p.ow; o += 8) {
      const __m256 v0 = Op::v(_mm256_loadu_ps(a + 2 * o), _mm256_loadu_ps(b + 2 * o));
      const __m256 v1 = Op::v(_mm256_loadu_ps(a + 2 * o + 8), _mm256_loadu_ps(b + 2 * o + 8));
      const __m256 e = _mm256_shuffle_ps(v0, v1, _MM_SHUFFLE(2, 0, 2, 0));  // v0 0 2 v1 0 2 | v0 4 6 v1 4 6
      const __m256 d = _mm256_shuffle_ps(v0, v1, _MM_SHUFFLE(3, 1, 3, 1));
      const __m256 m = Op::v(e, d);  // pairs, lanes in the order 0 1 4 5 2 3 6 7
      _mm256_storeu_ps(out + o, finish.v(o, _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(m),
                                                                                     _MM_SHUFFLE(3, 1, 2, 0)))));
    }
    for (; o < p.ow; ++o)
      out[o] = finish.s(o, Op::s(Op::s(a[2 * o], b[2 * o]), Op::s(a[2 * o + 1], b[2 * o + 1])));
  }
}

// Below this many input floats per run, threads cost more than they save.
constexpr int64_t kParallelFloats = 32 * 1024;

// Runs body(plane index, row buffer) for each of the batch * c planes, parallel over planes; the row buffer is this
// thread's scratch of p.padded_w floats, prepared by init(buffer) once per chunk of planes.
template <typename Init, typename Body>
int32_t for_planes(const Pool2dPlan& p, int64_t batch, const Init& init, const Body& body) {
  const int64_t planes = batch * p.c;
  std::atomic<bool> oom{false};
  auto chunk = [&](int64_t lo, int64_t hi) {
    float* buf = scratch(1, static_cast<size_t>(p.padded_w));
    if (buf == nullptr) {
      oom = true;
      return;
    }
    init(buf);
    for (int64_t i = lo; i < hi; ++i) body(i, buf);
  };
  if (planes * p.in_plane() < kParallelFloats) {
    chunk(0, planes);
  } else {
    parallel_for(planes, chunk);
  }
  return oom ? fail(C4J_ERR_NOMEM, "out of memory for the pool2d row buffer") : C4J_OK;
}

// MAX and AVG: every plane row by row, vertical pass into the padded buffer, horizontal pass with finish(r) the
// finishing functor of output row r.
template <typename Op, typename MakeFinish>
int32_t run_windows(const Pool2dPlan& p, int64_t batch, const float* x, float* y, const MakeFinish& make_finish) {
  const auto init = [&](float* buf) {  // the padding columns of the row buffer hold the identity
    for (int64_t i = 0; i < p.pl; ++i) buf[i] = Op::identity();
    for (int64_t i = p.pl + p.iw; i < p.padded_w; ++i) buf[i] = Op::identity();
  };
  const auto body = [&](int64_t plane, float* buf) {
    const float* xp = x + plane * p.in_plane();
    float* yp = y + plane * p.out_plane();
    if (p.pairs2x2) {
      pairs_plane<Op>(p, xp, yp, make_finish);
      return;
    }
    for (int64_t r = 0; r < p.oh; ++r) {
      reduce_rows<Op>(xp, p.iw, p.rows[r], buf + p.pl);
      const auto finish = make_finish(r);
      if (p.sw == 1) {
        reduce_cols<Op, 1>(p, buf, yp + r * p.ow, finish);
      } else if (p.sw == 2) {
        reduce_cols<Op, 2>(p, buf, yp + r * p.ow, finish);
      } else {
        reduce_cols<Op, 0>(p, buf, yp + r * p.ow, finish);
      }
    }
  };
  return for_planes(p, batch, init, body);
}

}  // namespace pool
}  // namespace c4j
