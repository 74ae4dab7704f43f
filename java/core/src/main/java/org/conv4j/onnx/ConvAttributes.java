package org.conv4j.onnx;

/**
 * The window attributes shared by Conv, ConvTranspose, MaxPool and AveragePool (kernel_shape, strides, dilations,
 * pads, auto_pad) for the 2-D case, with the pads auto_pad implies for a given input size.
 */
final class ConvAttributes {
  final int kh, kw, sh, sw, dh, dw;
  final String autoPad;
  private final long[] pads;

  /** kernel is the kernel size from the weights, or null when kernel_shape must be given (pooling). */
  ConvAttributes(Attributes a, int[] kernel) {
    long[] ks = a.ints("kernel_shape", null);
    if (ks == null && kernel == null) throw new IllegalArgumentException("attribute kernel_shape is missing");
    if (ks != null && ks.length != 2) throw new IllegalArgumentException(only2d("kernel_shape", ks.length));
    if (ks != null && kernel != null && (ks[0] != kernel[0] || ks[1] != kernel[1])) {
      throw new IllegalArgumentException("kernel_shape [" + ks[0] + ", " + ks[1] + "] differs from the weights' ["
          + kernel[0] + ", " + kernel[1] + "]");
    }
    kh = kernel != null ? kernel[0] : toInt(ks[0], "kernel_shape");
    kw = kernel != null ? kernel[1] : toInt(ks[1], "kernel_shape");
    long[] s = pair(a.ints("strides", null), "strides");
    long[] d = pair(a.ints("dilations", null), "dilations");
    sh = toInt(s[0], "strides");
    sw = toInt(s[1], "strides");
    dh = toInt(d[0], "dilations");
    dw = toInt(d[1], "dilations");
    autoPad = a.s("auto_pad", "NOTSET");
    pads = a.ints("pads", new long[4]);
    if (pads.length != 4) throw new IllegalArgumentException(only2d("pads", pads.length / 2));
    if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID") && !autoPad.equals("SAME_UPPER")
        && !autoPad.equals("SAME_LOWER")) {
      throw new IllegalArgumentException("auto_pad \"" + autoPad + "\" is not NOTSET, VALID, SAME_UPPER or SAME_LOWER");
    }
  }

  private static long[] pair(long[] v, String name) {
    if (v == null) return new long[] {1, 1};
    if (v.length != 2) throw new IllegalArgumentException(only2d(name, v.length));
    return v;
  }

  private static String only2d(String name, int dims) {
    return name + " describes " + dims + " spatial dimensions; only 2-D (NCHW) windows are supported";
  }

  static int toInt(long v, String name) {
    if (v < 0 || v > Integer.MAX_VALUE) throw new IllegalArgumentException(name + " value " + v + " is out of range");
    return (int) v;
  }

  /**
   * Pads {top, left, bottom, right} for an input of inH x inW (-1 where unknown). SAME_* pads so that the output
   * is ceil(in / stride), the odd pixel at the end (UPPER) or the beginning (LOWER); they depend on the input size
   * unless the stride is 1.
   */
  int[] pads(long inH, long inW) {
    switch (autoPad) {
      case "VALID":
        return new int[4];
      case "NOTSET":
        return new int[] {toInt(pads[0], "pads"), toInt(pads[1], "pads"), toInt(pads[2], "pads"), toInt(pads[3], "pads")};
      default: {
        boolean upper = autoPad.equals("SAME_UPPER");
        int[] h = same(inH, kh, sh, dh, upper, "height");
        int[] w = same(inW, kw, sw, dw, upper, "width");
        return new int[] {h[0], w[0], h[1], w[1]};
      }
    }
  }

  private static int[] same(long in, int k, int s, int d, boolean upper, String dim) {
    long total;
    if (s == 1) {
      total = (long) (k - 1) * d;
    } else if (in < 0) {
      throw new ShapeNeededException("auto_pad SAME with stride " + s + " needs the input " + dim
          + ", which the model leaves symbolic");
    } else {
      long out = (in + s - 1) / s;
      total = Math.max(0, (out - 1) * s + (long) (k - 1) * d + 1 - in);
    }
    int small = (int) (total / 2), big = (int) (total - total / 2);
    return upper ? new int[] {small, big} : new int[] {big, small};
  }
}
