package org.conv4j.io;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import javax.imageio.ImageIO;
import org.conv4j.Tensor;
import org.conv4j.graph.Layout;
import org.conv4j.spec.Check;

/**
 * Image input for classifiers: PNG or JPEG (javax.imageio) to a float tensor, with the ImageNet preprocessing of
 * torchvision ({@code Resize(256)}, {@code CenterCrop(224)}, {@code ToTensor()}, {@code Normalize(mean, std)}).
 * Steps work on [C, H, W] planes of RGB values in [0, 1]; {@link #toBatch} adds the batch axis in NCHW or NHWC.
 */
public final class Images {
  /** Shorter side after resizing and the square crop of the ImageNet evaluation transform. */
  public static final int IMAGENET_RESIZE = 256, IMAGENET_CROP = 224;

  private static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
  private static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

  private Images() {}

  /** The ImageNet channel means (R, G, B) of the normalisation, a fresh copy. */
  public static float[] imagenetMean() {
    return IMAGENET_MEAN.clone();
  }

  /** The ImageNet channel standard deviations (R, G, B) of the normalisation, a fresh copy. */
  public static float[] imagenetStd() {
    return IMAGENET_STD.clone();
  }

  /** The full ImageNet evaluation preprocessing of one image file, as [1, 3, 224, 224] or [1, 224, 224, 3]. */
  public static Tensor imagenet(Path file, Layout layout) throws IOException {
    Tensor rgb = readRgb(file);
    Tensor resized = resizeShorterSide(rgb, IMAGENET_RESIZE);
    Tensor cropped = centerCrop(resized, IMAGENET_CROP, IMAGENET_CROP);
    return toBatch(normalize(cropped, IMAGENET_MEAN, IMAGENET_STD), layout);
  }

  /**
   * Decodes a PNG or JPEG (any format an installed ImageIO reader knows) to [3, H, W] RGB in [0, 1]. Grey, palette
   * and 16-bit images are converted to 8-bit RGB; alpha is dropped. A missing file is a NoSuchFileException, a file
   * no reader recognises or cannot decode an IOException naming the file.
   */
  public static Tensor readRgb(Path file) throws IOException {
    if (!Files.exists(file)) throw new NoSuchFileException(file.toString(), null, "no such image file");
    if (!Files.isRegularFile(file)) throw new IOException(file + ": not a regular file");
    BufferedImage img;
    try (InputStream in = Files.newInputStream(file)) {
      img = ImageIO.read(in);
    } catch (IOException | RuntimeException e) {
      // ImageIO reports a corrupt stream as IIOException, some broken headers as runtime exceptions
      throw new IOException(file + ": cannot decode the image (" + e.getMessage() + ")", e);
    }
    if (img == null) {
      throw new IOException(file + ": not an image this JVM can read (readers for: "
          + String.join(", ", readableFormats()) + ")");
    }
    return toRgbPlanes(img);
  }

  /**
   * [3, H, W] RGB planes in [0, 1] of a decoded image (sRGB, alpha dropped). Grey images copy their grey level to
   * R, G and B, as PIL does: going through getRGB would treat the grey as linear light and gamma-encode it.
   */
  public static Tensor toRgbPlanes(BufferedImage img) {
    int w = img.getWidth(), h = img.getHeight();
    if (img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) return greyPlanes(img);
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    int plane = w * h;
    float[] out = new float[3 * plane];
    for (int i = 0; i < plane; i++) {
      int p = argb[i];
      out[i] = ((p >>> 16) & 0xff) / 255f;
      out[plane + i] = ((p >>> 8) & 0xff) / 255f;
      out[2 * plane + i] = (p & 0xff) / 255f;
    }
    return Tensor.of(out, 3, h, w);
  }

  private static Tensor greyPlanes(BufferedImage img) {
    int w = img.getWidth(), h = img.getHeight(), plane = w * h;
    Raster r = img.getRaster();
    float max = (1 << img.getColorModel().getComponentSize(0)) - 1;
    float[] out = new float[3 * plane];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) out[y * w + x] = r.getSample(x, y, 0) / max;
    }
    System.arraycopy(out, 0, out, plane, plane);
    System.arraycopy(out, 0, out, 2 * plane, plane);
    return Tensor.of(out, 3, h, w);
  }

  /**
   * Resizes [C, H, W] so that its shorter side becomes size, keeping the aspect ratio as torchvision's
   * {@code Resize(int)} does: the longer side becomes floor(size * longer / shorter).
   */
  public static Tensor resizeShorterSide(Tensor chw, int size) {
    chw.requireRank("image", 3);
    Check.positive("size", size);
    int h = chw.dim(1), w = chw.dim(2);
    Check.positive("image height", h);
    Check.positive("image width", w);
    if (h <= w) return BilinearResize.resize(chw, size, (int) ((long) size * w / h));
    return BilinearResize.resize(chw, (int) ((long) size * h / w), size);
  }

  /**
   * The centred cropH x cropW window of [C, H, W]. Its offset is round((H - cropH) / 2) with ties to even, as
   * torchvision's {@code CenterCrop} computes it; the crop must fit inside the image.
   */
  public static Tensor centerCrop(Tensor chw, int cropH, int cropW) {
    chw.requireRank("image", 3);
    Check.positive("cropH", cropH);
    Check.positive("cropW", cropW);
    int c = chw.dim(0), h = chw.dim(1), w = chw.dim(2);
    if (cropH > h || cropW > w) {
      throw new IllegalArgumentException("crop " + cropH + "x" + cropW + " must fit inside the image of "
          + h + "x" + w + " (height x width)");
    }
    int top = (int) Math.rint((h - cropH) / 2.0), left = (int) Math.rint((w - cropW) / 2.0);
    float[] src = chw.data();
    float[] dst = new float[c * cropH * cropW];
    for (int ch = 0; ch < c; ch++) {
      for (int y = 0; y < cropH; y++) {
        System.arraycopy(src, (ch * h + top + y) * w + left, dst, (ch * cropH + y) * cropW, cropW);
      }
    }
    return Tensor.of(dst, c, cropH, cropW);
  }

  /** (x - mean[c]) / std[c] per channel of [C, H, W], into a new tensor; mean and std hold C values, std > 0. */
  public static Tensor normalize(Tensor chw, float[] mean, float[] std) {
    chw.requireRank("image", 3);
    int c = chw.dim(0);
    Check.length("mean", mean, c, "[" + c + "], one per channel");
    Check.length("std", std, c, "[" + c + "], one per channel");
    for (int i = 0; i < c; i++) {
      if (!(std[i] > 0) || !Float.isFinite(std[i])) {
        throw new IllegalArgumentException("std[" + i + "] must be finite and > 0, got " + std[i]);
      }
    }
    float[] src = chw.data();
    float[] dst = new float[src.length];
    int plane = chw.dim(1) * chw.dim(2);
    for (int ch = 0; ch < c; ch++) {
      float m = mean[ch], s = std[ch];
      for (int i = ch * plane, end = i + plane; i < end; i++) dst[i] = (src[i] - m) / s;
    }
    return Tensor.of(dst, chw.shape());
  }

  /** [C, H, W] to a batch of one: [1, C, H, W] (shares the data) or [1, H, W, C] (transposed copy). */
  public static Tensor toBatch(Tensor chw, Layout layout) {
    chw.requireRank("image", 3);
    if (layout == null) throw new IllegalArgumentException("layout must be NCHW or NHWC, got null");
    int c = chw.dim(0), h = chw.dim(1), w = chw.dim(2);
    if (layout == Layout.NCHW) return chw.reshape(1, c, h, w);
    float[] src = chw.data();
    float[] dst = new float[src.length];
    int plane = h * w;
    for (int ch = 0; ch < c; ch++) {
      for (int i = 0; i < plane; i++) dst[i * c + ch] = src[ch * plane + i];
    }
    return Tensor.of(dst, 1, h, w, c);
  }

  private static String[] readableFormats() {
    return Arrays.stream(ImageIO.getReaderFormatNames())
        .map(s -> s.toLowerCase(Locale.ROOT)).distinct().sorted().toArray(String[]::new);
  }
}
