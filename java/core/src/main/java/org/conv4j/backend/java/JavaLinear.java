package org.conv4j.backend.java;

import org.conv4j.backend.Plan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.LinearSpec;

/**
 * torch.nn.Linear in Java: y[batch, out] = act(x W^T + b). Small batches take dot products of each input row with
 * the rows of W as given (unit stride, W read once per run, nothing packed); larger batches run one SGEMM against
 * W^T, transposed in cache-sized blocks on the first such run so a batch-1 model never pays for it.
 */
final class JavaLinear extends Plan {
  /** Batches below this take the dot-product path: each W row (in floats) stays in cache across the batch rows. */
  private static final int GEMV_MAX_BATCH = 8;
  /**
   * Side of the square blocks the transpose moves: 16 x 16 floats are 16 source and 16 target cache lines, few
   * enough to stay in L1 even when a large power-of-two row stride maps them all to one or two sets.
   */
  private static final int TB = 16;

  private final JavaBackend backend;
  private final int in, out;
  private final float[] weight; // [out, in] as PyTorch
  private volatile float[] weightT; // [in, out], built on the first GEMM run: rows of the GEMM's B
  private final float[] bias;
  private final Activation act;

  JavaLinear(JavaBackend backend, LinearSpec spec, float[] weight, float[] bias) {
    super(new int[] {spec.inFeatures()}, new int[] {spec.outFeatures()});
    this.backend = backend;
    in = spec.inFeatures();
    out = spec.outFeatures();
    act = spec.activation();
    this.weight = weight.clone();
    this.bias = bias == null ? null : bias.clone();
  }

  @Override
  protected void execute(float[] x, int xOff, float[] y, int yOff, int batch) {
    if (batch < GEMV_MAX_BATCH) {
      backend.parallelFor(out, (lo, hi) -> dots(x, xOff, y, yOff, batch, lo, hi));
      return;
    }
    float[] wt = transposed();
    if (batch >= backend.threads()) {
      backend.parallelFor(batch, (lo, hi) -> rows(wt, x, xOff + lo * in, y, yOff + lo * out, hi - lo, 0, out));
    } else {
      backend.parallelFor(out, (lo, hi) -> rows(wt, x, xOff, y, yOff, batch, lo, hi));
    }
  }

  /** Outputs [oLo, oHi) of rows images as dot products with the W rows, then bias and activation. */
  private void dots(float[] x, int xOff, float[] y, int yOff, int rows, int oLo, int oHi) {
    for (int o = oLo; o < oHi; o++) {
      float b = bias == null ? 0f : bias[o];
      for (int r = 0; r < rows; r++) {
        y[yOff + r * out + o] = act.apply(dot(weight, o * in, x, xOff + r * in, in) + b);
      }
    }
  }

  /** sum a[aOff + i] * b[bOff + i] over [0, n), in eight independent partial sums (C2 keeps reductions scalar). */
  private static float dot(float[] a, int aOff, float[] b, int bOff, int n) {
    float s0 = 0f, s1 = 0f, s2 = 0f, s3 = 0f, s4 = 0f, s5 = 0f, s6 = 0f, s7 = 0f;
    int i = 0;
    for (; i + 7 < n; i += 8) {
      int ai = aOff + i, bi = bOff + i;
      s0 += a[ai] * b[bi];
      s1 += a[ai + 1] * b[bi + 1];
      s2 += a[ai + 2] * b[bi + 2];
      s3 += a[ai + 3] * b[bi + 3];
      s4 += a[ai + 4] * b[bi + 4];
      s5 += a[ai + 5] * b[bi + 5];
      s6 += a[ai + 6] * b[bi + 6];
      s7 += a[ai + 7] * b[bi + 7];
    }
    for (; i < n; i++) s0 += a[aOff + i] * b[bOff + i];
    return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
  }

  /** W^T, transposed once (racing first runs may each build it; all results are equal). */
  private float[] transposed() {
    float[] wt = weightT;
    if (wt == null) {
      wt = new float[in * out];
      for (int o0 = 0; o0 < out; o0 += TB) {
        int o1 = Math.min(out, o0 + TB);
        for (int i0 = 0; i0 < in; i0 += TB) {
          int i1 = Math.min(in, i0 + TB);
          for (int i = i0; i < i1; i++) {
            for (int o = o0; o < o1; o++) wt[i * out + o] = weight[o * in + i];
          }
        }
      }
      weightT = wt;
    }
    return wt;
  }

  /** Outputs [oLo, oHi) of rows images by SGEMM against W^T. */
  private void rows(float[] wt, float[] x, int xOff, float[] y, int yOff, int rows, int oLo, int oHi) {
    JavaGemm.gemm(rows, oHi - oLo, in, x, xOff, in, wt, oLo, out, y, yOff + oLo, out);
    for (int r = 0; r < rows; r++) {
      int yo = yOff + r * out;
      if (bias != null) {
        for (int o = oLo; o < oHi; o++) y[yo + o] += bias[o];
      }
      JavaElementwise.activationOfSums(act, y, yo + oLo, oHi - oLo);
    }
  }
}
