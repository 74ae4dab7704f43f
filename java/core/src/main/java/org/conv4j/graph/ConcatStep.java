package org.conv4j.graph;

/** torch.cat along one axis: per outer index, each input's contiguous block is copied in turn. */
final class ConcatStep implements Step {
  private final String label;
  private final int[] xs;
  private final int[] blocks; // floats of input k per outer index: shape_k[axis] * inner
  private final int y, outer, outBlock;

  ConcatStep(String label, int[] xs, int[][] shapes, int axis, int y) {
    this.label = label;
    this.xs = xs.clone();
    this.y = y;
    int o = 1, inner = 1;
    for (int d = 0; d < axis; d++) o *= shapes[0][d];
    for (int d = axis + 1; d < shapes[0].length; d++) inner *= shapes[0][d];
    outer = o;
    blocks = new int[xs.length];
    int total = 0;
    for (int k = 0; k < xs.length; k++) {
      blocks[k] = shapes[k][axis] * inner;
      total += blocks[k];
    }
    outBlock = total;
  }

  @Override
  public void run(float[][] s) {
    float[] yv = s[y];
    int off = 0;
    for (int k = 0; k < xs.length; k++) {
      float[] xv = s[xs[k]];
      int n = blocks[k];
      for (int o = 0; o < outer; o++) System.arraycopy(xv, o * n, yv, o * outBlock + off, n);
      off += n;
    }
  }

  @Override
  public String describe() {
    return label + ": concat of " + xs.length;
  }
}
