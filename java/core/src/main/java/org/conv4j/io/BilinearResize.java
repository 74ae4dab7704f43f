package org.conv4j.io;

import org.conv4j.Tensor;
import org.conv4j.spec.Check;

/**
 * Bilinear resampling of [C, H, W] float planes as PIL's {@code Image.resize(..., BILINEAR)} does it, which is what
 * torchvision's {@code Resize} uses for images: a separable triangle filter on half-pixel centres whose support widens
 * with the downscale factor, so shrinking averages every source pixel (antialiased) instead of sampling four. For
 * upscaling it equals plain bilinear interpolation with align_corners=False. Weights falling outside the image are
 * dropped and the rest renormalised (edge pixels are not replicated). Unlike PIL this stays in float, with no 8-bit
 * rounding between the two passes.
 */
public final class BilinearResize {
  private BilinearResize() {}

  /** Resizes every channel of a [C, H, W] tensor to [C, outH, outW]. */
  public static Tensor resize(Tensor chw, int outH, int outW) {
    chw.requireRank("image", 3);
    Check.positive("outH", outH);
    Check.positive("outW", outW);
    int c = chw.dim(0), h = chw.dim(1), w = chw.dim(2);
    Check.positive("image height", h);
    Check.positive("image width", w);
    Taps cols = Taps.of(w, outW), rows = Taps.of(h, outH);
    float[] src = chw.data();
    float[] tmp = new float[h * outW];
    float[] dst = new float[c * outH * outW];
    for (int ch = 0; ch < c; ch++) {
      int plane = ch * h * w;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < outW; x++) tmp[y * outW + x] = cols.apply(x, src, plane + y * w, 1);
      }
      int out = ch * outH * outW;
      for (int y = 0; y < outH; y++) {
        for (int x = 0; x < outW; x++) dst[out + y * outW + x] = rows.apply(y, tmp, x, outW);
      }
    }
    return Tensor.of(dst, c, outH, outW);
  }

  /** For each output index, the first source index and the normalised weights of the source pixels it averages. */
  private static final class Taps {
    final int[] first;
    final float[][] weights;

    private Taps(int[] first, float[][] weights) {
      this.first = first;
      this.weights = weights;
    }

    static Taps of(int inSize, int outSize) {
      double scale = (double) inSize / outSize;
      double filterScale = Math.max(scale, 1.0);
      double support = filterScale; // the triangle's radius is 1 source pixel, widened when shrinking
      int[] first = new int[outSize];
      float[][] weights = new float[outSize][];
      for (int i = 0; i < outSize; i++) {
        double centre = (i + 0.5) * scale;
        int lo = Math.max(0, (int) Math.floor(centre - support + 0.5));
        int hi = Math.min(inSize, (int) Math.floor(centre + support + 0.5));
        double[] w = new double[hi - lo];
        double sum = 0;
        for (int j = 0; j < w.length; j++) {
          w[j] = Math.max(0.0, 1.0 - Math.abs((lo + j + 0.5 - centre) / filterScale));
          sum += w[j];
        }
        float[] wf = new float[w.length];
        for (int j = 0; j < w.length; j++) wf[j] = (float) (w[j] / sum);
        first[i] = lo;
        weights[i] = wf;
      }
      return new Taps(first, weights);
    }

    /** Weighted sum for output index i over src[base + (first + j) * stride]. */
    float apply(int i, float[] src, int base, int stride) {
      float[] w = weights[i];
      int p = base + first[i] * stride;
      float acc = 0f;
      for (int j = 0; j < w.length; j++, p += stride) acc += w[j] * src[p];
      return acc;
    }
  }
}
