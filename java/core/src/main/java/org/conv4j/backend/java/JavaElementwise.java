package org.conv4j.backend.java;

import org.conv4j.spec.Activation;

/**
 * Elementwise kernels: activations ({@link Activation#apply} semantics), softmax / log_softmax over the middle
 * axis of [outer, dim, inner], add, and the epilogue y = act(y + bias + residual) that conv and linear share.
 */
final class JavaElementwise {
  private JavaElementwise() {}

  /** y[yOff + i] = act(x[xOff + i]); x and y may be the same array at the same offset. */
  static void activation(Activation act, float[] x, int xOff, float[] y, int yOff, int count) {
    switch (act.kind()) {
      case NONE:
        if (x != y || xOff != yOff) System.arraycopy(x, xOff, y, yOff, count);
        return;
      case RELU:
        for (int i = 0; i < count; i++) {
          float v = x[xOff + i];
          y[yOff + i] = v < 0f ? 0f : v; // as Activation.apply: NaN stays NaN, as PyTorch
        }
        return;
      case CLAMP: {
        float lo = act.a(), hi = act.b();
        for (int i = 0; i < count; i++) y[yOff + i] = Math.min(Math.max(x[xOff + i], lo), hi);
        return;
      }
      default:
        for (int i = 0; i < count; i++) y[yOff + i] = act.apply(x[xOff + i]);
    }
  }

  /**
   * The fused epilogue on one output row of n floats: y = act(y + bias [+ residual]). residual may be null.
   * Bias is added before the residual, as the separate PyTorch ops would.
   */
  static void epilogue(float[] y, int yOff, int n, float bias, float[] residual, int rOff, Activation act) {
    if (bias != 0f) {
      for (int i = 0; i < n; i++) y[yOff + i] += bias;
    }
    if (residual != null) {
      for (int i = 0; i < n; i++) y[yOff + i] += residual[rOff + i];
    }
    activationOfSums(act, y, yOff, n);
  }

  /**
   * act in place on n kernel outputs, each a sum started at +0 (conv, linear: accumulators start at +0, then add
   * bias and residual), so never -0: a float sum is -0 only when both addends are. ReLU there is Math.max(v, 0f),
   * which C2 vectorises and which equals v < 0 ? 0 : v for every v but -0; the branch mispredicts on every other
   * element of a real feature map (ResNet-18 b8 in Java: about 10% of the run).
   */
  static void activationOfSums(Activation act, float[] y, int off, int n) {
    switch (act.kind()) {
      case NONE:
        return;
      case RELU:
        for (int i = 0; i < n; i++) y[off + i] = Math.max(y[off + i], 0f);
        return;
      default:
        activation(act, y, off, y, off, n);
    }
  }

  /**
   * softmax (log=false) or log_softmax over dim of x viewed as [outer, dim, inner]. Numerically stable: the max
   * of each slice is subtracted before exp, and the sum is kept in double. y may be x at the same offset.
   */
  static void softmax(float[] x, int xOff, float[] y, int yOff, int outer, int dim, int inner, boolean log) {
    for (int o = 0; o < outer; o++) {
      int base = o * dim * inner;
      for (int in = 0; in < inner; in++) {
        int xb = xOff + base + in, yb = yOff + base + in;
        float max = Float.NEGATIVE_INFINITY;
        for (int d = 0; d < dim; d++) max = Math.max(max, x[xb + d * inner]);
        double sum = 0;
        for (int d = 0; d < dim; d++) sum += Math.exp(x[xb + d * inner] - max);
        if (log) {
          double logSum = Math.log(sum);
          for (int d = 0; d < dim; d++) y[yb + d * inner] = (float) (x[xb + d * inner] - max - logSum);
        } else {
          double inv = 1.0 / sum;
          for (int d = 0; d < dim; d++) y[yb + d * inner] = (float) (Math.exp(x[xb + d * inner] - max) * inv);
        }
      }
    }
  }

  /** y = a + b over count floats; y may alias a or b at the same offset. */
  static void add(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int count) {
    for (int i = 0; i < count; i++) y[yOff + i] = a[aOff + i] + b[bOff + i];
  }
}
