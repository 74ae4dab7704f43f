package org.conv4j.backend.java;

import org.conv4j.backend.Plan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.LinearSpec;

/** torch.nn.Linear in Java: y[batch, out] = act(x W^T + b), one SGEMM against W^T packed at prepare time. */
final class JavaLinear extends Plan {
  private final JavaBackend backend;
  private final int in, out;
  private final float[] weightT; // [in, out]: rows of the GEMM's B, so the inner loop runs along the outputs
  private final float[] bias;
  private final Activation act;

  JavaLinear(JavaBackend backend, LinearSpec spec, float[] weight, float[] bias) {
    super(new int[] {spec.inFeatures()}, new int[] {spec.outFeatures()});
    this.backend = backend;
    in = spec.inFeatures();
    out = spec.outFeatures();
    act = spec.activation();
    this.bias = bias == null ? null : bias.clone();
    weightT = new float[in * out];
    for (int o = 0; o < out; o++) {
      for (int i = 0; i < in; i++) weightT[i * out + o] = weight[o * in + i];
    }
  }

  @Override
  protected void execute(float[] x, int xOff, float[] y, int yOff, int batch) {
    if (batch >= backend.threads()) {
      backend.parallelFor(batch, (lo, hi) -> rows(x, xOff + lo * in, y, yOff + lo * out, hi - lo, 0, out));
    } else {
      backend.parallelFor(out, (lo, hi) -> rows(x, xOff, y, yOff, batch, lo, hi));
    }
  }

  /** Outputs [oLo, oHi) of rows images. */
  private void rows(float[] x, int xOff, float[] y, int yOff, int rows, int oLo, int oHi) {
    JavaGemm.gemm(rows, oHi - oLo, in, x, xOff, in, weightT, oLo, out, y, yOff + oLo, out);
    for (int r = 0; r < rows; r++) {
      int yo = yOff + r * out;
      if (bias != null) {
        for (int o = oLo; o < oHi; o++) y[yo + o] += bias[o];
      }
      JavaElementwise.activation(act, y, yo + oLo, y, yo + oLo, oHi - oLo);
    }
  }
}
