package org.conv4j.backend.java;

import java.util.Arrays;

/**
 * conv2d DEPTHWISE in Java: one input channel per group (groups == input channels, any channel multiplier, kernel,
 * stride and dilation), zero padding implied (the caller pads other modes first).
 *
 * <p>Through IM2COL_GEMM such a layer is one GEMM per channel, one output row deep kh * kw, and the lowering costs
 * more than the multiplies. Here a channel's zero-padded input is split by row and column phase (stride sh x sw):
 * Q_ab[i][j] = P[i * sh + a][j * sw + b], every phase plane with the same row pitch qw. Tap (ki, kj) then reads one
 * phase plane at a fixed flat offset for every output pixel, out[oy * qw + ox] += w * Q_ab[oy * qw + ox + off], so
 * each tap's operand is one contiguous run: copied to an array of its own (C2 vectorises loops whose streams start
 * at index 0 of their arrays, see {@link JavaGemm}), the output plane is kh * kw weighted sums of whole arrays
 * ({@link JavaGemm#axpy}), computed at pitch qw and copied out row by row (the qw - outW columns between rows are
 * computed and dropped). A per-row version (kw shifted copies of each input row, a sum per output row) ran no faster
 * than IM2COL_GEMM: on maps of 7-28 columns its per-row calls cost more than the multiplies.
 */
final class JavaDepthwise {
  private final float[] weight; // OIHW: [oc][kh][kw]
  private final int cog, kh, kw, sh, sw, dh, dw, srcH, srcW, outH, outW, padT, padL;
  private final int qh, qw; // rows and pitch of every phase plane
  private final int bandRows; // output rows per band: a band's buffers stay within MAX_FLOATS
  private final int[] tapPhase, tapOffset; // per tap (ki * kw + kj): its phase plane (a * sw + b), its flat offset

  /** Floats of one thread's buffers a band may use (4 MiB): large maps go in bands of output rows. */
  static final int MAX_FLOATS = 1 << 20;

  /** Per thread: the phase planes, then the taps' operands, then the accumulator; the taps' weights. */
  private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

  private static final class Buffers {
    float[][] arrays = new float[0][];
    float[][] operands = new float[0][];
    float[] weights = new float[0];

    void fit(int count, int length, int taps) {
      if (arrays.length < count || arrays[0].length < length) {
        arrays = new float[Math.max(arrays.length, count)][Math.max(arrays.length == 0 ? 0 : arrays[0].length,
            length)];
      }
      if (operands.length < taps) {
        operands = new float[taps][];
        weights = new float[taps];
      }
    }
  }

  /** weight: OIHW with one input channel; the geometry is that of the (already padded by mode) source image. */
  JavaDepthwise(float[] weight, int cog, int kh, int kw, int sh, int sw, int dh, int dw, int srcH, int srcW, int outH,
      int outW, int padT, int padL) {
    this.weight = weight;
    this.cog = cog;
    this.kh = kh;
    this.kw = kw;
    this.sh = sh;
    this.sw = sw;
    this.dh = dh;
    this.dw = dw;
    this.srcH = srcH;
    this.srcW = srcW;
    this.outH = outH;
    this.outW = outW;
    this.padT = padT;
    this.padL = padL;
    int ph = (outH - 1) * sh + (kh - 1) * dh + 1, pw = (outW - 1) * sw + (kw - 1) * dw + 1; // the padded window
    qh = (ph + sh - 1) / sh;
    qw = (pw + sw - 1) / sw;
    tapPhase = new int[kh * kw];
    tapOffset = new int[kh * kw];
    for (int ki = 0; ki < kh; ki++) {
      for (int kj = 0; kj < kw; kj++) {
        int r = ki * dh, c = kj * dw;
        tapPhase[ki * kw + kj] = (r % sh) * sw + c % sw;
        tapOffset[ki * kw + kj] = (r / sh) * qw + c / sw;
      }
    }
    // a band's buffers: its output rows, the phase rows past them (extraRows()) and one row of slack, per array
    bandRows = Math.max(1, Math.min(outH, MAX_FLOATS / ((sh * sw + kh * kw + 1) * qw) - extraRows() - 1));
  }

  /** Phase-plane rows a band reads past its output rows: the taps' row offsets (qh - outH >= the largest). */
  private int extraRows() {
    return qh - outH;
  }

  /** Output rows per band (all of them unless the map is large). */
  int bandRows() {
    return bandRows;
  }

  /**
   * The output planes of group g (channels g * cog ..) from its input plane at x[xo], written to y from yo (the
   * group's first output plane), before the epilogue.
   */
  void group(float[] x, int xo, int g, float[] y, int yo) {
    int taps = kh * kw, phases = sh * sw, extra = extraRows();
    Buffers buf = BUFFERS.get();
    // a row past each band's phase planes: the last output row's dropped columns read up to cs floats beyond them
    buf.fit(phases + taps + 1, (bandRows + extra + 1) * qw, taps);
    float[][] b = buf.arrays, operands = buf.operands;
    float[] acc = b[phases + taps], w = buf.weights;
    for (int o0 = 0; o0 < outH; o0 += bandRows) {
      int rows = Math.min(bandRows, outH - o0), len = rows * qw;
      for (int a = 0; a < sh; a++) {
        for (int c = 0; c < sw; c++) phase(x, xo, a, c, o0, rows + extra, b[a * sw + c]);
      }
      for (int t = 0; t < taps; t++) {
        operands[t] = b[phases + t];
        System.arraycopy(b[tapPhase[t]], tapOffset[t], operands[t], 0, len);
      }
      for (int c = 0; c < cog; c++) {
        int oc = g * cog + c, out = yo + (c * outH + o0) * outW;
        System.arraycopy(weight, oc * taps, w, 0, taps);
        Arrays.fill(acc, 0, len, 0f); // +0: sums are never -0 (see JavaElementwise.activationOfSums)
        JavaGemm.axpy(acc, operands, w, taps, len);
        for (int oy = 0; oy < rows; oy++) System.arraycopy(acc, oy * qw, y, out + oy * outW, outW);
      }
    }
  }

  /**
   * Rows [i0, i0 + rows) of phase plane (a, c) from row 0 of q: q[(i - i0) * qw + j] = x[i * sh + a - padT][j * sw
   * + c - padL], zero outside the input.
   */
  private void phase(float[] x, int xo, int a, int c, int i0, int rows, float[] q) {
    int x0 = c - padL; // column j reads input column j * sw + x0
    int lo = JavaConv2d.firstInside(x0, sw, qw), hi = Math.max(lo, JavaConv2d.endInside(x0, sw, srcW, qw));
    for (int i = 0; i < rows; i++) {
      int ih = (i0 + i) * sh + a - padT, d = i * qw;
      if (ih < 0 || ih >= srcH || hi == lo) {
        Arrays.fill(q, d, d + qw, 0f);
        continue;
      }
      int row = xo + ih * srcW;
      Arrays.fill(q, d, d + lo, 0f);
      if (sw == 1) {
        System.arraycopy(x, row + lo + x0, q, d + lo, hi - lo);
      } else {
        for (int j = lo, iw = lo * sw + x0; j < hi; j++, iw += sw) q[d + j] = x[row + iw];
      }
      Arrays.fill(q, d + hi, d + qw, 0f);
    }
  }
}
