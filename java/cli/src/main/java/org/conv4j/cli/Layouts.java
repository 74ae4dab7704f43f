package org.conv4j.cli;

import org.conv4j.Tensor;

/** NCHW -> NHWC for 4-D outputs: models compute in NCHW, and --layout nhwc writes 4-D outputs channels-last. */
final class Layouts {
  private Layouts() {}

  static Tensor nchwToNhwc(Tensor t) {
    t.requireRank("NCHW tensor", 4);
    int n = t.dim(0), c = t.dim(1), hw = t.dim(2) * t.dim(3);
    float[] src = t.data(), dst = new float[src.length];
    for (int i = 0; i < n; i++) {
      int base = i * c * hw;
      for (int ch = 0; ch < c; ch++) {
        for (int p = 0; p < hw; p++) dst[base + p * c + ch] = src[base + ch * hw + p];
      }
    }
    return Tensor.of(dst, n, t.dim(2), t.dim(3), c);
  }
}
