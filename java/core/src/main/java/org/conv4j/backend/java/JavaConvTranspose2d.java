package org.conv4j.backend.java;

import java.util.Arrays;
import org.conv4j.backend.Plan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dGeometry;
import org.conv4j.spec.ConvTranspose2dSpec;

/**
 * conv_transpose2d in Java, as torch.nn.ConvTranspose2d (weights IOHW), y = act(convT(x) + bias). No zero-stuffing:
 * per image and group one SGEMM computes every input pixel's contribution to every output channel and kernel tap,
 * cols[(ocg, ki, kj), (ih, iw)] = W^T x, and col2im scatters each to y[oc, ih*s - pad + ki*d, iw*s - pad + kj*d].
 */
final class JavaConvTranspose2d extends Plan {
  private final JavaBackend backend;
  private final float[] weightT; // per group a row-major [cog*kh*kw, cig] matrix: the IOHW weight transposed
  private final float[] bias;
  private final Activation act;
  private final int cin, cout, groups, cig, cog, kh, kw, sh, sw, dh, dw;
  private final int inH, inW, outH, outW, padT, padL;

  JavaConvTranspose2d(JavaBackend backend, ConvTranspose2dSpec spec, Conv2dGeometry g, float[] weight,
      float[] bias) {
    super(new int[] {spec.inChannels(), g.inH(), g.inW()}, new int[] {spec.outChannels(), g.outH(), g.outW()});
    this.backend = backend;
    this.bias = bias == null ? null : bias.clone();
    act = spec.activation();
    cin = spec.inChannels();
    cout = spec.outChannels();
    groups = spec.groups();
    cig = cin / groups;
    cog = cout / groups;
    kh = spec.kernelH();
    kw = spec.kernelW();
    sh = spec.strideH();
    sw = spec.strideW();
    dh = spec.dilationH();
    dw = spec.dilationW();
    inH = g.inH();
    inW = g.inW();
    outH = g.outH();
    outW = g.outW();
    padT = g.padTop();
    padL = g.padLeft();
    int taps = kh * kw, m = cog * taps;
    weightT = new float[weight.length];
    for (int gr = 0; gr < groups; gr++) {
      for (int icg = 0; icg < cig; icg++) {
        for (int r = 0; r < m; r++) { // r = ocg * taps + tap, the IOHW order within one input channel
          weightT[gr * m * cig + r * cig + icg] = weight[(gr * cig + icg) * m + r];
        }
      }
    }
  }

  /** Cap on one block of columns (floats): bounds the per-thread buffer for large inputs (16 MiB). */
  private static final int MAX_TILE = 1 << 22;

  @Override
  protected void execute(float[] x, int xOff, float[] y, int yOff, int batch) {
    int units = batch * groups;
    if (units >= backend.threads()) { // each thread takes whole (image, group) units
      backend.parallelFor(units, (lo, hi) -> {
        for (int u = lo; u < hi; u++) unit(x, xOff, y, yOff, u / groups, u % groups, false);
      });
    } else { // few units: each stage of a unit splits its output channels over the threads
      for (int u = 0; u < units; u++) unit(x, xOff, y, yOff, u / groups, u % groups, true);
    }
  }

  /**
   * Image n, group g: zero the output planes, then per block of input rows compute the columns and scatter them,
   * then the epilogue. With split, every stage runs across the threads, which share this thread's buffer.
   */
  private void unit(float[] x, int xOff, float[] y, int yOff, int n, int g, boolean split) {
    int taps = kh * kw, plane = outH * outW;
    int rowsPerBlock = Math.max(1, MAX_TILE / Math.max(1, cog * taps * inW));
    float[] col = JavaBackend.scratch(0, cog * taps * Math.min(inH, rowsPerBlock) * inW);
    int y0 = yOff + (n * cout + g * cog) * plane;
    stage(split, (lo, hi) -> Arrays.fill(y, y0 + lo * plane, y0 + hi * plane, 0f));
    for (int ih0 = 0; ih0 < inH; ih0 += rowsPerBlock) {
      int r0 = ih0, r1 = Math.min(inH, ih0 + rowsPerBlock);
      stage(split, (lo, hi) -> columns(x, xOff, n, g, lo * taps, hi * taps, r0, r1, col));
      stage(split, (lo, hi) -> scatter(col, lo, hi, r0, r1, y, y0));
    }
    stage(split, (lo, hi) -> {
      for (int ocg = lo; ocg < hi; ocg++) {
        JavaElementwise.epilogue(y, y0 + ocg * plane, plane, bias == null ? 0f : bias[g * cog + ocg], null, 0, act);
      }
    });
  }

  /** Runs body over the group's output channels: across the threads when split, else here. */
  private void stage(boolean split, JavaBackend.RangeBody body) {
    if (split) {
      backend.parallelFor(cog, body);
    } else {
      body.run(0, cog);
    }
  }

  /** Rows [rLo, rHi) of cols = W_g^T x_g over input rows [ih0, ih1) of image n, group g. */
  private void columns(float[] x, int xOff, int n, int g, int rLo, int rHi, int ih0, int ih1, float[] col) {
    int pixels = inH * inW, cols = (ih1 - ih0) * inW;
    int xo = xOff + (n * cin + g * cig) * pixels + ih0 * inW;
    JavaGemm.gemm(rHi - rLo, cols, cig, weightT, (g * cog * kh * kw + rLo) * cig, cig, x, xo, pixels, col,
        rLo * cols, cols);
  }

  /** col2im: adds the columns of input rows [ih0, ih1) into output channels [ocLo, ocHi) (planes from y0). */
  private void scatter(float[] col, int ocLo, int ocHi, int ih0, int ih1, float[] y, int y0) {
    int cols = (ih1 - ih0) * inW, plane = outH * outW;
    for (int ocg = ocLo; ocg < ocHi; ocg++) {
      int yo = y0 + ocg * plane;
      for (int ki = 0; ki < kh; ki++) {
        for (int kj = 0; kj < kw; kj++) {
          int c = ((ocg * kh + ki) * kw + kj) * cols;
          int x0 = kj * dw - padL; // ow = iw * sw + x0, inside [0, outW) for iw in [iwLo, iwHi)
          int iwLo = JavaConv2d.firstInside(x0, sw, inW), iwHi = JavaConv2d.endInside(x0, sw, outW, inW);
          for (int ih = ih0; ih < ih1; ih++) {
            int oh = ih * sh - padT + ki * dh;
            if (oh < 0 || oh >= outH) continue;
            int yRow = yo + oh * outW + x0, cRow = c + (ih - ih0) * inW;
            if (sw == 1) {
              for (int iw = iwLo; iw < iwHi; iw++) y[yRow + iw] += col[cRow + iw];
            } else {
              for (int iw = iwLo; iw < iwHi; iw++) y[yRow + iw * sw] += col[cRow + iw];
            }
          }
        }
      }
    }
  }
}
