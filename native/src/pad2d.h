// pad2d: materialises a padded copy of NCHW planes, as PyTorch F.pad (modes C4J_PAD_*). Used by conv2d for the
// non-zero padding modes, and by DIRECT for its zero-padded input (cropped to what the outputs read).
#pragma once
#include <cstdint>

namespace c4j {

// y[p] = pad(x[p]) for `planes` planes of h x w into (h + pt + pb) x (w + pl + pr). AVX2 file: after require_isa().
// Needs PyTorch's mode rules, checked by the caller: reflect pads < their dimension, circular pads <= it. Zeros
// mode also takes negative pb / pr (the copy ends early: rows and columns past it are not written), with
// h + pt + pb >= 1 and w + pl + pr >= 1.
void pad2d(const float* x, float* y, int64_t planes, int64_t h, int64_t w, int64_t pt, int64_t pl, int64_t pb,
           int64_t pr, int mode);

}  // namespace c4j
