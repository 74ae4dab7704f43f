package org.conv4j.cli;

import org.conv4j.Tensor;

/** NHWC <-> NCHW for 4-D tensors: conv4j models compute in NCHW; --layout nhwc converts at the edges. */
final class Layouts {
  private Layouts() {}

  static Tensor nhwcToNchw(Tensor t) {
    t.requireRank("NHWC tensor", 4);
    int n = t.dim(0), h = t.dim(1), w = t.dim(2), c = t.dim(3);
    return Tensor.of(permute(t.data(), n, h * w, c), n, c, h, w);
  }

  static Tensor nchwToNhwc(Tensor t) {
    t.requireRank("NCHW tensor", 4);
    int n = t.dim(0), c = t.dim(1), h = t.dim(2), w = t.dim(3);
    return Tensor.of(permute(t.data(), n, c, h * w), n, h, w, c);
  }

  /** Per batch item, transposes an a x b matrix to b x a. */
  private static float[] permute(float[] src, int n, int a, int b) {
    float[] dst = new float[src.length];
    for (int i = 0; i < n; i++) {
      int base = i * a * b;
      for (int x = 0; x < a; x++) {
        for (int y = 0; y < b; y++) dst[base + y * a + x] = src[base + x * b + y];
      }
    }
    return dst;
  }
}
