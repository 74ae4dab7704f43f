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

  @Override
  protected void execute(float[] x, int xOff, float[] y, int yOff, int batch) {
    int units = batch * groups;
    int colSize = cog * kh * kw * inH * inW;
    if (units >= backend.threads()) {
      backend.parallelFor(units, (lo, hi) -> {
        for (int u = lo; u < hi; u++) {
          float[] col = JavaBackend.scratch(0, colSize);
          int n = u / groups, g = u % groups;
          columns(x, xOff, n, g, 0, cog * kh * kw, col);
          scatter(col, n, g, 0, cog, y, yOff);
        }
      });
    } else {
      for (int u = 0; u < units; u++) {
        int n = u / groups, g = u % groups;
        float[] col = JavaBackend.scratch(0, colSize);
        int taps = kh * kw;
        backend.parallelFor(cog, (lo, hi) -> columns(x, xOff, n, g, lo * taps, hi * taps, col));
        backend.parallelFor(cog, (lo, hi) -> scatter(col, n, g, lo, hi, y, yOff));
      }
    }
  }

  /** Rows [rLo, rHi) of cols = W_g^T x_g for image n, group g. */
  private void columns(float[] x, int xOff, int n, int g, int rLo, int rHi, float[] col) {
    int pixels = inH * inW;
    int xo = xOff + n * cin * pixels + g * cig * pixels;
    JavaGemm.gemm(rHi - rLo, pixels, cig, weightT, g * cog * kh * kw * cig + rLo * cig, cig, x, xo, pixels, col,
        rLo * pixels, pixels);
  }

  /** col2im for output channels [ocLo, ocHi) of group g, then the bias and activation epilogue. */
  private void scatter(float[] col, int n, int g, int ocLo, int ocHi, float[] y, int yOff) {
    int pixels = inH * inW, plane = outH * outW;
    for (int ocg = ocLo; ocg < ocHi; ocg++) {
      int oc = g * cog + ocg;
      int yo = yOff + (n * cout + oc) * plane;
      Arrays.fill(y, yo, yo + plane, 0f);
      for (int ki = 0; ki < kh; ki++) {
        for (int kj = 0; kj < kw; kj++) {
          int c = ((ocg * kh + ki) * kw + kj) * pixels;
          for (int ih = 0; ih < inH; ih++) {
            int oh = ih * sh - padT + ki * dh;
            if (oh < 0 || oh >= outH) continue;
            int yRow = yo + oh * outW, cRow = c + ih * inW;
            int x0 = kj * dw - padL; // ow = iw * sw + x0
            for (int iw = 0; iw < inW; iw++) {
              int ow = iw * sw + x0;
              if (ow >= 0 && ow < outW) y[yRow + ow] += col[cRow + iw];
            }
          }
        }
      }
      JavaElementwise.epilogue(y, yo, plane, bias == null ? 0f : bias[oc], null, 0, act);
    }
  }
}
