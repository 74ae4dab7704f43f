package org.conv4j.backend.java;

import org.conv4j.backend.Plan;
import org.conv4j.spec.Pool2dGeometry;

/**
 * 2-D pooling in Java, as PyTorch: max_pool2d (dilation, ceil_mode; padding never wins, NaN propagates),
 * avg_pool2d (PyTorch's edge divisors for count_include_pad true and false) and adaptive_avg_pool2d. Global max
 * arrives as MAX with the kernel covering the plane.
 */
final class JavaPool2d extends Plan {
  private final JavaBackend backend;
  private final Pool2dGeometry g;
  private final int channels;

  JavaPool2d(JavaBackend backend, Pool2dGeometry g, int channels) {
    super(new int[] {channels, g.inH(), g.inW()}, new int[] {channels, g.outH(), g.outW()});
    this.backend = backend;
    this.g = g;
    this.channels = channels;
  }

  @Override
  protected void execute(float[] x, int xOff, float[] y, int yOff, int batch) {
    int inPlane = g.inH() * g.inW(), outPlane = g.outH() * g.outW();
    backend.parallelFor(batch * channels, (lo, hi) -> {
      for (int p = lo; p < hi; p++) {
        int xo = xOff + p * inPlane, yo = yOff + p * outPlane;
        switch (g.kind()) {
          case MAX:
            maxPlane(x, xo, y, yo);
            break;
          case AVG:
            avgPlane(x, xo, y, yo);
            break;
          case ADAPTIVE_AVG:
            adaptiveAvgPlane(x, xo, y, yo);
            break;
          default: // GLOBAL_MAX never gets here: Pool2dSpec.geometry resolves it to MAX
            throw new AssertionError(g.kind());
        }
      }
    });
  }

  /**
   * Separable: each output row first takes the column-wise max of its input rows into a row buffer (independent
   * maxima over the whole row), then each output the max of its taps along that row. Same maxima as the 2-D
   * window (max is associative), about 10x faster than one dependent Math.max chain per output.
   */
  private void maxPlane(float[] x, int xo, float[] y, int yo) {
    int inH = g.inH(), inW = g.inW(), outH = g.outH(), outW = g.outW();
    int kh = g.kernelH(), kw = g.kernelW(), sh = g.strideH(), sw = g.strideW(), dh = g.dilationH(),
        dw = g.dilationW(), pt = g.padTop(), pl = g.padLeft();
    float[] rowMax = JavaBackend.scratch(0, inW), row = JavaBackend.scratch(1, inW);
    for (int oh = 0; oh < outH; oh++) {
      int h0 = oh * sh - pt;
      // the taps inside the input: ki in [kiLo, kiHi), likewise kj per column below
      int kiLo = firstTap(h0, dh, kh), kiHi = endTap(h0, dh, kh, inH, kiLo);
      int yr = yo + oh * outW;
      if (kiLo == kiHi) { // no row inside: padding counts as -inf
        java.util.Arrays.fill(y, yr, yr + outW, Float.NEGATIVE_INFINITY);
        continue;
      }
      System.arraycopy(x, xo + (h0 + kiLo * dh) * inW, rowMax, 0, inW);
      for (int ki = kiLo + 1; ki < kiHi; ki++) {
        // copied first: C2 vectorises the max only over arrays indexed from 0
        System.arraycopy(x, xo + (h0 + ki * dh) * inW, row, 0, inW);
        for (int iw = 0; iw < inW; iw++) rowMax[iw] = Math.max(rowMax[iw], row[iw]); // NaN wins, as PyTorch
      }
      for (int ow = 0; ow < outW; ow++) {
        int w0 = ow * sw - pl;
        float m;
        if (w0 >= 0 && w0 + (kw - 1) * dw < inW) { // every tap inside (most columns): no clipping
          m = rowMax[w0];
          for (int kj = 1; kj < kw; kj++) m = Math.max(m, rowMax[w0 + kj * dw]);
        } else {
          int kjLo = firstTap(w0, dw, kw), kjHi = endTap(w0, dw, kw, inW, kjLo);
          m = Float.NEGATIVE_INFINITY;
          for (int kj = kjLo; kj < kjHi; kj++) m = Math.max(m, rowMax[w0 + kj * dw]);
        }
        y[yr + ow] = m;
      }
    }
  }

  /** The first tap k (of n, dilation d) with x0 + k * d >= 0; no division when d is 1 (the common case). */
  private static int firstTap(int x0, int d, int n) {
    if (x0 >= 0) return 0;
    return d == 1 ? Math.min(n, -x0) : Math.min(n, (-x0 + d - 1) / d);
  }

  /** One past the last tap k >= lo with x0 + k * d < in. */
  private static int endTap(int x0, int d, int n, int in, int lo) {
    if (in - 1 - x0 < 0) return lo;
    return Math.max(lo, Math.min(n, d == 1 ? in - x0 : (in - 1 - x0) / d + 1));
  }

  /**
   * PyTorch's divisor: the window clipped to the padded input (end = min(start + k, in + padAfter)) when
   * count_include_pad, else the window clipped to the input itself.
   */
  private void avgPlane(float[] x, int xo, float[] y, int yo) {
    int inH = g.inH(), inW = g.inW();
    for (int oh = 0; oh < g.outH(); oh++) {
      int h0 = oh * g.strideH() - g.padTop();
      int h1 = Math.min(h0 + g.kernelH(), inH + g.padBottom());
      int hLo = Math.max(h0, 0), hHi = Math.min(h1, inH);
      for (int ow = 0; ow < g.outW(); ow++) {
        int w0 = ow * g.strideW() - g.padLeft();
        int w1 = Math.min(w0 + g.kernelW(), inW + g.padRight());
        int wLo = Math.max(w0, 0), wHi = Math.min(w1, inW);
        int yi = yo + oh * g.outW() + ow;
        if (hLo >= hHi || wLo >= wHi) {
          y[yi] = 0f;
          continue;
        }
        float sum = 0f;
        for (int ih = hLo; ih < hHi; ih++) {
          for (int iw = wLo; iw < wHi; iw++) sum += x[xo + ih * inW + iw];
        }
        int divisor = g.countIncludePad() ? (h1 - h0) * (w1 - w0) : (hHi - hLo) * (wHi - wLo);
        y[yi] = sum / divisor;
      }
    }
  }

  /** Window i of n over in: [floor(i * in / n), ceil((i + 1) * in / n)). */
  private void adaptiveAvgPlane(float[] x, int xo, float[] y, int yo) {
    int inH = g.inH(), inW = g.inW(), outH = g.outH(), outW = g.outW();
    for (int oh = 0; oh < outH; oh++) {
      int hLo = (int) ((long) oh * inH / outH), hHi = (int) (((long) (oh + 1) * inH + outH - 1) / outH);
      for (int ow = 0; ow < outW; ow++) {
        int wLo = (int) ((long) ow * inW / outW), wHi = (int) (((long) (ow + 1) * inW + outW - 1) / outW);
        float sum = 0f;
        for (int ih = hLo; ih < hHi; ih++) {
          for (int iw = wLo; iw < wHi; iw++) sum += x[xo + ih * inW + iw];
        }
        y[yo + oh * outW + ow] = sum / ((hHi - hLo) * (wHi - wLo));
      }
    }
  }
}
