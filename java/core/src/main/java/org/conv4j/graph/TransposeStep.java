package org.conv4j.graph;

import java.util.Arrays;

/** Permutes dimensions (output dim i is input dim perm[i]); also converts NHWC input to NCHW at the edge. */
final class TransposeStep implements Step {
  private final String label;
  private final int[] perm;
  private final int x, y;
  private final Strided loop;

  TransposeStep(String label, int x, int[] inShape, int[] perm, int y) {
    this.label = label;
    this.perm = perm.clone();
    this.x = x;
    this.y = y;
    int[] inStrides = Strided.contiguous(inShape);
    int[] outShape = new int[perm.length];
    int[] read = new int[perm.length];
    for (int i = 0; i < perm.length; i++) {
      outShape[i] = inShape[perm[i]];
      read[i] = inStrides[perm[i]];
    }
    loop = Strided.of(outShape, read);
  }

  @Override
  public void run(float[][] s) {
    walk(0, s[x], 0, s[y], 0);
  }

  private int walk(int d, float[] xv, int xo, float[] yv, int yo) {
    int n = loop.dims[d], sx = loop.strides[0][d];
    if (d == loop.dims.length - 1) {
      if (sx == 1) {
        System.arraycopy(xv, xo, yv, yo, n);
      } else {
        for (int i = 0; i < n; i++) yv[yo + i] = xv[xo + i * sx];
      }
      return yo + n;
    }
    for (int i = 0; i < n; i++) yo = walk(d + 1, xv, xo + i * sx, yv, yo);
    return yo;
  }

  @Override
  public String describe() {
    return label + ": transpose " + Arrays.toString(perm);
  }
}
