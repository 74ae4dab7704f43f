package org.conv4j.backend.java;

import org.conv4j.backend.Conv2dAlgorithm;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dGeometry;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.PaddingMode;

/**
 * conv2d in Java, as torch.nn.Conv2d, with the fused epilogue y = act(conv(x) + bias + residual).
 * DIRECT is the plain-loop reference; IM2COL_GEMM lowers each image and group to one SGEMM (a 1x1 stride-1 unpadded
 * convolution multiplies the input itself); WINOGRAD ({@link JavaWinograd}) does 3x3 stride-1 layers with a quarter
 * of the multiplies; DEPTHWISE ({@link JavaDepthwise}) convolves each channel of a layer with one input channel per
 * group on its own. AUTO picks WINOGRAD wherever it applies, DEPTHWISE for depthwise layers (groups == input
 * channels > 1), IM2COL_GEMM elsewhere. Non-zeros padding modes first pad the input by the mode, as PyTorch's F.pad,
 * and then convolve without implicit padding.
 */
final class JavaConv2d extends Conv2dPlan {
  private final JavaBackend backend;
  private final Conv2dAlgorithm algorithm;
  private final float[] weight; // OIHW, i.e. per group a row-major [cog, cig*kh*kw] matrix
  private final float[] bias; // null when the spec has none
  private final Activation act;
  private final PaddingMode mode;
  private final int cin, cout, groups, cig, cog, kh, kw, sh, sw, dh, dw;
  private final int inH, inW, outH, outW;
  // the image the convolution core reads: the input itself (zeros mode) or the input padded by the mode
  private final int srcH, srcW, padT, padL;
  private final boolean gemmOnInput; // 1x1, stride 1, nothing to pad: im2col would copy the input unchanged
  private final JavaWinograd winograd; // the transformed weights when the algorithm is WINOGRAD
  private final JavaDepthwise depthwise; // when the algorithm is DEPTHWISE
  // IM2COL_GEMM on small maps: per group W^T [k][cog], so the GEMM runs over output channels (see gemmRowsT)
  private final float[] weightT;

  JavaConv2d(JavaBackend backend, Conv2dSpec spec, Conv2dGeometry g, float[] weight, float[] bias,
      Conv2dAlgorithm algorithm) {
    super(spec, g);
    this.backend = backend;
    this.algorithm = choose(algorithm, spec);
    this.weight = weight.clone();
    this.bias = bias == null ? null : bias.clone();
    act = spec.activation();
    mode = spec.paddingMode();
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
    if (mode == PaddingMode.ZEROS) {
      srcH = inH;
      srcW = inW;
      padT = g.padTop();
      padL = g.padLeft();
    } else {
      srcH = inH + g.padTop() + g.padBottom();
      srcW = inW + g.padLeft() + g.padRight();
      padT = 0;
      padL = 0;
    }
    gemmOnInput = kh == 1 && kw == 1 && sh == 1 && sw == 1 && padT == 0 && padL == 0 && outH == srcH
        && outW == srcW;
    weightT = this.algorithm == Conv2dAlgorithm.IM2COL_GEMM && !gemmOnInput && outH * outW <= SMALL_MAP && cog >= 16
        ? transposeWeights() : null;
    winograd = this.algorithm == Conv2dAlgorithm.WINOGRAD
        ? new JavaWinograd(this.weight, groups, cig, cog, srcH, srcW, outH, outW, padT, padL) : null;
    depthwise = this.algorithm == Conv2dAlgorithm.DEPTHWISE
        ? new JavaDepthwise(this.weight, cog, kh, kw, sh, sw, dh, dw, srcH, srcW, outH, outW, padT, padL) : null;
  }

  /**
   * WINOGRAD for every 3x3 stride-1 layer with >= 16 input channels per group: in Java it wins even on 7x7 maps
   * (one thread, IM2COL_GEMM vs WINOGRAD, same run: 512->512 7x7 34 vs 16 ms, 256->256 14x14 8.8 vs 6.2,
   * 64->64 56x56 22 vs 19), where the native kernels run F(2x2) (WINOGRAD_2X2, which Java does not have) at batch 1.
   * DEPTHWISE for layers with one input channel per group and more than one group (MobileNetV2's depthwise layers,
   * one thread: 14.1 -> 6.7 ms in all against IM2COL_GEMM; the model 36.5 -> 30.2 ms, the two alternated in one
   * JVM); a single-channel input with one group stays with IM2COL_GEMM, one GEMM over all its output channels.
   */
  private static Conv2dAlgorithm choose(Conv2dAlgorithm requested, Conv2dSpec spec) {
    boolean winogradFits = spec.kernelH() == 3 && spec.kernelW() == 3 && spec.strideH() == 1 && spec.strideW() == 1
        && spec.dilationH() == 1 && spec.dilationW() == 1 && spec.inChannels() / spec.groups() >= 16;
    boolean oneInputChannel = spec.inChannels() == spec.groups();
    switch (requested) {
      case AUTO:
        return winogradFits ? Conv2dAlgorithm.WINOGRAD
            : oneInputChannel && spec.groups() > 1 ? Conv2dAlgorithm.DEPTHWISE : Conv2dAlgorithm.IM2COL_GEMM;
      case DIRECT:
      case IM2COL_GEMM:
        return requested;
      case WINOGRAD:
        if (winogradFits) return requested;
        throw new IllegalArgumentException("algorithm WINOGRAD needs a 3x3 kernel, stride 1, dilation 1 and at least"
            + " 16 input channels per group, got " + spec);
      case DEPTHWISE:
        if (oneInputChannel) return requested;
        throw new IllegalArgumentException("algorithm DEPTHWISE needs one input channel per group (groups == in"
            + " channels), got " + spec);
      default:
        throw new IllegalArgumentException("algorithm " + requested
            + " is not available on the Java backend (it runs DIRECT, IM2COL_GEMM, WINOGRAD and DEPTHWISE)");
    }
  }

  @Override
  public Conv2dAlgorithm algorithm() {
    return algorithm;
  }

  @Override
  protected void execute(float[] x, int xOff, float[] y, int yOff, int batch, float[] residual, int rOff) {
    if (residual == y && rOff == yOff) { // in place: DIRECT and the GEMM write y before adding the residual
      int n = batch * outputSize();
      float[] copy = JavaBackend.scratch(3, n); // slot 3: no kernel uses it, on this thread or a worker
      System.arraycopy(y, yOff, copy, 0, n);
      residual = copy;
      rOff = 0;
    }
    if (mode == PaddingMode.ZEROS) {
      convolve(x, xOff, y, yOff, batch, residual, rOff);
      return;
    }
    // pad one image at a time by the mode, then convolve it without implicit padding
    Conv2dGeometry g = geometry();
    int inSize = cin * inH * inW, outSize = outputSize();
    float[] padded = JavaBackend.scratch(1, cin * srcH * srcW);
    for (int n = 0; n < batch; n++) {
      int img = xOff + n * inSize;
      backend.parallelFor(cin, (lo, hi) -> {
        for (int c = lo; c < hi; c++) {
          padPlane(mode, x, img + c * inH * inW, inH, inW, g.padTop(), g.padLeft(), padded, c * srcH * srcW,
              srcH, srcW);
        }
      });
      convolve(padded, 0, y, yOff + n * outSize, 1, residual, rOff + n * outSize);
    }
  }

  private void convolve(float[] src, int srcOff, float[] y, int yOff, int batch, float[] residual, int rOff) {
    if (algorithm == Conv2dAlgorithm.DIRECT) {
      runDirect(src, srcOff, y, yOff, batch, residual, rOff);
    } else if (winograd != null) {
      winograd.run(backend, src, srcOff, y, yOff, batch, bias, residual, rOff, act);
    } else if (depthwise != null) {
      runDepthwise(src, srcOff, y, yOff, batch, residual, rOff);
    } else {
      runGemm(src, srcOff, y, yOff, batch, residual, rOff);
    }
  }

  /** Maps a padded coordinate to the input coordinate PyTorch's F.pad(mode) reads. */
  private static int source(PaddingMode mode, int i, int n) {
    if (i >= 0 && i < n) return i;
    switch (mode) {
      case REFLECT:
        return i < 0 ? -i : 2 * (n - 1) - i;
      case REPLICATE:
        return i < 0 ? 0 : n - 1;
      case CIRCULAR:
        return i < 0 ? i + n : i - n;
      default:
        throw new AssertionError(mode);
    }
  }

  /** One channel plane padded by the mode (reflect/replicate/circular) into a ph x pw plane. */
  private static void padPlane(PaddingMode mode, float[] x, int xOff, int h, int w, int padTop, int padLeft, float[] dst,
      int dOff, int ph, int pw) {
    for (int i = 0; i < ph; i++) {
      int row = xOff + source(mode, i - padTop, h) * w;
      int d = dOff + i * pw;
      for (int j = 0; j < padLeft; j++) dst[d + j] = x[row + source(mode, j - padLeft, w)];
      System.arraycopy(x, row, dst, d + padLeft, w);
      for (int j = padLeft + w; j < pw; j++) dst[d + j] = x[row + source(mode, j - padLeft, w)];
    }
  }

  // ---- DIRECT: the readable reference ----

  private void runDirect(float[] src, int srcOff, float[] y, int yOff, int batch, float[] res, int rOff) {
    int srcSize = cin * srcH * srcW, plane = outH * outW, outSize = cout * plane;
    backend.parallelFor(batch * cout, (lo, hi) -> {
      for (int t = lo; t < hi; t++) {
        int n = t / cout, oc = t % cout;
        int yo = yOff + n * outSize + oc * plane;
        directPlane(src, srcOff + n * srcSize, oc, y, yo);
        JavaElementwise.epilogue(y, yo, plane, bias == null ? 0f : bias[oc], res,
            rOff + n * outSize + oc * plane, act);
      }
    });
  }

  /** y[oc] = sum over the group's input channels and kernel taps of x * w, taps in the padding reading zero. */
  private void directPlane(float[] src, int imgOff, int oc, float[] y, int yo) {
    int icBase = (oc / cog) * cig;
    for (int oh = 0; oh < outH; oh++) {
      for (int ow = 0; ow < outW; ow++) {
        double acc = 0;
        for (int icg = 0; icg < cig; icg++) {
          int xPlane = imgOff + (icBase + icg) * srcH * srcW;
          int wBase = (oc * cig + icg) * kh * kw;
          for (int ki = 0; ki < kh; ki++) {
            int ih = oh * sh - padT + ki * dh;
            if (ih < 0 || ih >= srcH) continue;
            for (int kj = 0; kj < kw; kj++) {
              int iw = ow * sw - padL + kj * dw;
              if (iw < 0 || iw >= srcW) continue;
              acc += (double) src[xPlane + ih * srcW + iw] * weight[wBase + ki * kw + kj];
            }
          }
        }
        y[yo + oh * outW + ow] = (float) acc;
      }
    }
  }

  // ---- DEPTHWISE ----

  /** Work units are (image, group): the group's input plane shifted once, then its cog output planes. */
  private void runDepthwise(float[] src, int srcOff, float[] y, int yOff, int batch, float[] res, int rOff) {
    int srcPlane = srcH * srcW, plane = outH * outW, outSize = cout * plane;
    backend.parallelFor(batch * groups, (lo, hi) -> {
      for (int u = lo; u < hi; u++) {
        int n = u / groups, g = u % groups;
        int yo = yOff + n * outSize + g * cog * plane;
        depthwise.group(src, srcOff + (n * cin + g) * srcPlane, g, y, yo);
        for (int c = 0; c < cog; c++) {
          int oc = g * cog + c;
          JavaElementwise.epilogue(y, yo + c * plane, plane, bias == null ? 0f : bias[oc], res,
              rOff + n * outSize + oc * plane, act);
        }
      }
    });
  }

  // ---- IM2COL_GEMM ----

  /**
   * Output maps up to this many pixels lower to [pixel][k] and multiply W^T, so that JavaGemm's vector loops run
   * over the output channels instead of a handful of pixels (Java, one thread, ResNet-18's 3x3/2 256->512 14x14
   * and 1x1/2 layers: about 2x).
   */
  private static final int SMALL_MAP = 196;

  private float[] transposeWeights() {
    int k = cig * kh * kw;
    float[] t = new float[groups * k * cog];
    for (int g = 0; g < groups; g++) {
      for (int oc = 0; oc < cog; oc++) {
        for (int i = 0; i < k; i++) t[(g * k + i) * cog + oc] = weight[(g * cog + oc) * k + i];
      }
    }
    return t;
  }

  /** Cap on one lowered tile (floats): bounds the per-thread buffer for large images (16 MiB). */
  private static final int MAX_TILE = 1 << 22;

  /**
   * Work units are (image, group, block of output rows); each lowers its rows into its thread's buffer and runs
   * one SGEMM for all the group's output channels. Row blocks keep the buffer bounded and, for small batches,
   * give every thread a share.
   */
  private void runGemm(float[] src, int srcOff, float[] y, int yOff, int batch, float[] res, int rOff) {
    int k = cig * kh * kw;
    int rowsForTile = gemmOnInput ? outH : Math.max(1, MAX_TILE / Math.max(1, k * outW));
    int blocks = Math.max(ceilDiv(outH, rowsForTile), Math.min(outH, ceilDiv(backend.threads(), batch * groups)));
    int rowsPerBlock = ceilDiv(outH, blocks);
    int blockCount = ceilDiv(outH, rowsPerBlock);
    int perImage = groups * blockCount;
    backend.parallelFor(batch * perImage, (lo, hi) -> {
      for (int u = lo; u < hi; u++) {
        int n = u / perImage, g = (u / blockCount) % groups, oh0 = (u % blockCount) * rowsPerBlock;
        gemmRows(src, srcOff, n, g, oh0, Math.min(outH, oh0 + rowsPerBlock), y, yOff, res, rOff);
      }
    });
  }

  /** The first i in [0, count) with i * s + x0 >= 0 (count when there is none). */
  static int firstInside(int x0, int s, int count) {
    return x0 >= 0 ? 0 : Math.min(count, (-x0 + s - 1) / s);
  }

  /** One past the last i in [0, count) with i * s + x0 < limit (0 when there is none). */
  static int endInside(int x0, int s, int limit, int count) {
    return limit - 1 - x0 < 0 ? 0 : Math.min(count, (limit - 1 - x0) / s + 1);
  }

  private static int ceilDiv(int a, int b) {
    return (a + b - 1) / b;
  }

  /** Output rows [oh0, oh1) of every output channel of group g of image n, with the epilogue. */
  private void gemmRows(float[] src, int srcOff, int n, int g, int oh0, int oh1, float[] y, int yOff, float[] res,
      int rOff) {
    if (weightT != null) {
      gemmRowsT(src, srcOff, n, g, oh0, oh1, y, yOff, res, rOff);
      return;
    }
    int plane = outH * outW, k = cig * kh * kw, outSize = cout * plane;
    int cols = (oh1 - oh0) * outW;
    int img = srcOff + n * cin * srcH * srcW;
    float[] b;
    int bOff, ldb;
    if (gemmOnInput) { // the input rows are the GEMM's B as they stand
      b = src;
      bOff = img + g * cig * plane + oh0 * outW;
      ldb = plane;
    } else {
      b = JavaBackend.scratch(0, k * cols);
      bOff = 0;
      ldb = cols;
      im2col(src, img, g, oh0, oh1, b);
    }
    int oc0 = g * cog;
    int yo = yOff + n * outSize + oc0 * plane + oh0 * outW;
    JavaGemm.gemm(cog, cols, k, weight, oc0 * k, k, b, bOff, ldb, y, yo, plane);
    for (int oc = oc0; oc < oc0 + cog; oc++) {
      int off = (oc - oc0) * plane;
      JavaElementwise.epilogue(y, yo + off, cols, bias == null ? 0f : bias[oc], res,
          rOff + n * outSize + oc * plane + oh0 * outW, act);
    }
  }

  /**
   * Rows [ihLo, ihHi) of the group's cig channel planes at plane0, split by column phase:
   * ph[((icg * rows + ih - ihLo) * sw + p) * pw + q] = x[icg][ih][q * sw + p].
   */
  private void deinterleave(float[] src, int plane0, int ihLo, int ihHi, int pw, float[] ph) {
    int rows = ihHi - ihLo;
    for (int icg = 0; icg < cig; icg++) {
      for (int ih = ihLo; ih < ihHi; ih++) {
        int s = plane0 + (icg * srcH + ih) * srcW, d = (icg * rows + ih - ihLo) * sw * pw;
        for (int p = 0; p < sw; p++, d += pw) {
          for (int q = 0, iw = p; iw < srcW; q++, iw += sw) ph[d + q] = src[s + iw];
        }
      }
    }
  }

  /** gemmRows on a small map: colT [pixel][k] times W^T [k][cog] gives [pixel][cog], transposed into y. */
  private void gemmRowsT(float[] src, int srcOff, int n, int g, int oh0, int oh1, float[] y, int yOff, float[] res,
      int rOff) {
    int plane = outH * outW, k = cig * kh * kw, outSize = cout * plane;
    int cols = (oh1 - oh0) * outW;
    int img = srcOff + n * cin * srcH * srcW;
    float[] col = JavaBackend.scratch(0, k * cols);
    im2col(src, img, g, oh0, oh1, col);
    float[] colT = JavaBackend.scratch(2, k * cols + cols * cog);
    for (int i = 0; i < k; i++) {
      for (int p = 0; p < cols; p++) colT[p * k + i] = col[i * cols + p];
    }
    int c0 = k * cols; // the product [pixel][cog] follows colT in the same buffer
    JavaGemm.gemm(cols, cog, k, colT, 0, k, weightT, g * k * cog, cog, colT, c0, cog);
    int oc0 = g * cog;
    int yo = yOff + n * outSize + oc0 * plane + oh0 * outW;
    for (int oc = 0; oc < cog; oc++) {
      int off = yo + oc * plane;
      float b = bias == null ? 0f : bias[oc0 + oc];
      int ro = rOff + n * outSize + (oc0 + oc) * plane + oh0 * outW;
      for (int p = 0; p < cols; p++) {
        float v = colT[c0 + p * cog + oc] + b;
        y[off + p] = res == null ? v : v + res[ro + p];
      }
      JavaElementwise.activationOfSums(act, y, off, cols);
    }
  }

  /**
   * Lowers output rows [oh0, oh1) of group g of one image to col[(icg, ki, kj), (oh - oh0, ow)], taps in the
   * padding reading zero. With a column stride the rows read are first split by column phase (see deinterleave),
   * so that every tap's row is one copy instead of a strided gather per element.
   */
  private void im2col(float[] src, int img, int g, int oh0, int oh1, float[] col) {
    int cols = (oh1 - oh0) * outW;
    int row = 0;
    int ihLo = Math.max(0, oh0 * sh - padT), ihHi = Math.min(srcH, (oh1 - 1) * sh - padT + (kh - 1) * dh + 1);
    int pw = (srcW + sw - 1) / sw, phRows = Math.max(0, ihHi - ihLo);
    float[] ph = sw == 1 ? null : JavaBackend.scratch(4, cig * phRows * sw * pw);
    if (ph != null) deinterleave(src, img + g * cig * srcH * srcW, ihLo, ihHi, pw, ph);
    for (int icg = 0; icg < cig; icg++) {
      int xPlane = img + (g * cig + icg) * srcH * srcW;
      for (int ki = 0; ki < kh; ki++) {
        for (int kj = 0; kj < kw; kj++, row++) {
          int x0 = kj * dw - padL; // iw = ow * sw + x0
          int owLo = firstInside(x0, sw, outW), owHi = Math.max(owLo, endInside(x0, sw, srcW, outW));
          for (int oh = oh0; oh < oh1; oh++) {
            int d = row * cols + (oh - oh0) * outW;
            int ih = oh * sh - padT + ki * dh;
            if (ih < 0 || ih >= srcH) {
              java.util.Arrays.fill(col, d, d + outW, 0f);
              continue;
            }
            int s = xPlane + ih * srcW + x0;
            for (int ow = 0; ow < owLo; ow++) col[d + ow] = 0f;
            // guarded: with no valid column the source offset may be out of range (arraycopy checks it even for 0)
            if (owHi > owLo) {
              if (sw == 1) {
                System.arraycopy(src, s + owLo, col, d + owLo, owHi - owLo);
              } else { // iw = (ow + q0) * sw + phase: element ow + q0 of the row's phase
                int q0 = Math.floorDiv(x0, sw), phase = x0 - q0 * sw;
                int pr = ((icg * phRows + ih - ihLo) * sw + phase) * pw;
                System.arraycopy(ph, pr + owLo + q0, col, d + owLo, owHi - owLo);
              }
            }
            for (int ow = owHi; ow < outW; ow++) col[d + ow] = 0f;
          }
        }
      }
    }
  }
}
