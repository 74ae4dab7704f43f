// Elementwise kernels behind c4j_softmax and c4j_add (elementwise_avx2.cpp), called by elementwise.cpp after its
// checks. c4j_activation needs no kernel of its own: it is epilogue_row with no bias.
#pragma once
#include <cstdint>

namespace c4j {

// softmax (log: log_softmax) over the middle axis of the [outer, dim, inner] views x and y; y may equal x.
// Work units [u0, u1) of outer * softmax_blocks(inner): a unit is one row (inner == 1) or 8 neighbouring slices.
void softmax_avx2(const float* x, float* y, int64_t u0, int64_t u1, int64_t dim, int64_t inner, bool log);

// Units per outer index: inner == 1 rows are contiguous, else slices go 8 at a time in vector lanes.
inline int64_t softmax_blocks(int64_t inner) { return inner == 1 ? 1 : (inner + 7) / 8; }

// y[i] = a[i] + b[i], i < n; y may equal a or b.
void add_avx2(const float* a, const float* b, float* y, int64_t n);

}  // namespace c4j
