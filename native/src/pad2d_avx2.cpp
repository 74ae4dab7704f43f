// pad2d: row-wise copy; each output row is its mapped source row with mapped columns either side.
#include "pad2d.h"

#include <algorithm>
#include <cstring>

#include "conv4j.h"

namespace c4j {
namespace {

// Source index of padded position i in [-pad, n + pad) for a dimension of n, or -1 for zeros padding.
inline int64_t source(int mode, int64_t i, int64_t n) {
  if (i >= 0 && i < n) return i;
  switch (mode) {
    case C4J_PAD_REFLECT: return i < 0 ? -i : 2 * (n - 1) - i;  // mirror without repeating the edge
    case C4J_PAD_REPLICATE: return i < 0 ? 0 : n - 1;
    case C4J_PAD_CIRCULAR: return i < 0 ? i + n : i - n;
    default: return -1;
  }
}

}  // namespace

void pad2d(const float* x, float* y, int64_t planes, int64_t h, int64_t w, int64_t pt, int64_t pl, int64_t pb,
           int64_t pr, int mode) {
  const int64_t hp = h + pt + pb, wp = w + pl + pr;
  for (int64_t c = 0; c < planes; ++c) {
    const float* xc = x + c * h * w;
    float* yc = y + c * hp * wp;
    for (int64_t r = 0; r < hp; ++r) {
      float* out = yc + r * wp;
      const int64_t sr = source(mode, r - pt, h);
      if (sr < 0) {
        std::memset(out, 0, sizeof(float) * wp);
        continue;
      }
      const float* in = xc + sr * w;
      const int64_t a = std::min(pl, wp), b = std::min(pl + w, wp);  // [a, b): columns copied from the row, a <= b
      for (int64_t q = 0; q < a; ++q) {
        const int64_t sc = source(mode, q - pl, w);
        out[q] = sc < 0 ? 0.f : in[sc];
      }
      if (b > a) std::memcpy(out + a, in, sizeof(float) * (b - a));
      for (int64_t q = b; q < wp; ++q) {
        const int64_t sc = source(mode, q - pl, w);
        out[q] = sc < 0 ? 0.f : in[sc];
      }
    }
  }
}

}  // namespace c4j
