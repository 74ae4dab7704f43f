package org.conv4j.graph;

import java.util.Arrays;
import org.conv4j.spec.PaddingMode;

/**
 * N-D padding: constant (mode null), REFLECT (mirror without repeating the edge), REPLICATE (repeat the edge) or
 * CIRCULAR (wrap around). Output coordinate o of a dimension reads input coordinate o - begin, mapped into range by
 * the mode; negative pads crop. Rows of the last dimension copy their in-range middle in one arraycopy.
 */
final class PadStep implements Step {
  private final String label;
  private final PaddingMode mode;
  private final float value;
  private final int[] in, out, begin, inStride, outStride;
  private final int x, y;

  PadStep(String label, PaddingMode mode, float value, int[] pads, int x, int[] inShape, int[] outShape, int y) {
    this.label = label;
    this.mode = mode;
    this.value = value;
    this.in = inShape.clone();
    this.out = outShape.clone();
    this.begin = Arrays.copyOf(pads, inShape.length);
    this.inStride = Strided.contiguous(inShape);
    this.outStride = Strided.contiguous(outShape);
    this.x = x;
    this.y = y;
  }

  @Override
  public void run(float[][] s) {
    walk(0, s[x], 0, s[y], 0);
  }

  /** Input coordinate of output coordinate o along d, or -1 for the constant. */
  private int source(int d, int o) {
    int c = o - begin[d], n = in[d];
    if (c >= 0 && c < n) return c;
    if (mode == null || mode == PaddingMode.ZEROS) return -1;
    switch (mode) {
      case REFLECT:
        return c < 0 ? -c : 2 * (n - 1) - c;
      case REPLICATE:
        return c < 0 ? 0 : n - 1;
      case CIRCULAR:
        return Math.floorMod(c, n);
      default:
        throw new AssertionError(mode);
    }
  }

  private void walk(int d, float[] xv, int xo, float[] yv, int yo) {
    int n = out[d];
    if (d == out.length - 1) {
      int lo = Math.max(0, begin[d]), hi = Math.min(n, begin[d] + in[d]); // outputs read in range
      if (hi > lo) System.arraycopy(xv, xo + lo - begin[d], yv, yo + lo, hi - lo);
      for (int o = 0; o < n; o++) {
        if (o == lo && hi > lo) o = hi;
        if (o >= n) break;
        int c = source(d, o);
        yv[yo + o] = c < 0 ? value : xv[xo + c];
      }
      return;
    }
    for (int o = 0; o < n; o++) {
      int c = source(d, o);
      if (c < 0) {
        Arrays.fill(yv, yo + o * outStride[d], yo + (o + 1) * outStride[d], value);
      } else {
        walk(d + 1, xv, xo + c * inStride[d], yv, yo + o * outStride[d]);
      }
    }
  }

  @Override
  public String describe() {
    return label + ": pad " + (mode == null ? "constant " + value : mode.name().toLowerCase(java.util.Locale.ROOT))
        + " " + Arrays.toString(in) + " -> " + Arrays.toString(out);
  }
}
