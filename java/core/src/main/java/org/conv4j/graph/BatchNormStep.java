package org.conv4j.graph;

/** A batch norm that could not be folded into a conv: y = x * scale[c] + shift[c] over dim 1. */
final class BatchNormStep implements Step {
  private final String label;
  private final int x, y, outer, channels, inner;
  private final float[] scale, shift;

  BatchNormStep(String label, Node.BatchNorm bn, int x, int[] shape, int y) {
    this.label = label;
    this.x = x;
    this.y = y;
    channels = shape[1];
    outer = shape[0];
    int in = 1;
    for (int d = 2; d < shape.length; d++) in *= shape[d];
    inner = in;
    scale = new float[channels];
    shift = new float[channels];
    for (int c = 0; c < channels; c++) {
      double s = bn.gamma()[c] / Math.sqrt((double) bn.var()[c] + bn.eps());
      scale[c] = (float) s;
      shift[c] = (float) (bn.beta()[c] - bn.mean()[c] * s);
    }
  }

  @Override
  public void run(float[][] s) {
    float[] xv = s[x], yv = s[y];
    for (int n = 0; n < outer; n++) {
      for (int c = 0; c < channels; c++) {
        int base = (n * channels + c) * inner;
        float a = scale[c], b = shift[c];
        for (int i = 0; i < inner; i++) yv[base + i] = xv[base + i] * a + b;
      }
    }
  }

  @Override
  public String describe() {
    return label + ": batch_norm (per-channel scale and shift)";
  }
}
