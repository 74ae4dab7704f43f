package org.conv4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.conv4j.Tensor;
import org.conv4j.graph.Layout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Images and BilinearResize against PIL, torch and torchvision (src/test/python/gen_image_fixtures.py), and
 * against hand-computed cases.
 */
class ImagesTest {
  @TempDir Path tmp;

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(ImagesTest.class.getResource("/images/" + name).toURI());
  }

  private static Tensor npy(String name) throws Exception {
    return Npy.read(resource(name));
  }

  private static void assertClose(Tensor expected, Tensor actual, double tol, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    float[] e = expected.data(), a = actual.data();
    for (int i = 0; i < e.length; i++) {
      if (!(Math.abs(e[i] - a[i]) <= tol)) {
        fail(what + ": index " + i + " expected " + e[i] + " but was " + a[i] + " (tolerance " + tol + ")");
      }
    }
  }

  @Test
  void decodesPngExactlyAsPil() throws Exception {
    Tensor rgb = Images.readRgb(resource("rgb_40x30.png"));
    assertArrayEquals(new int[] {3, 30, 40}, rgb.shape());
    assertClose(npy("rgb_40x30_rgb.npy"), rgb, 0, "png");
  }

  @Test
  void dropsAlphaAndExpandsGrey() throws Exception {
    assertClose(npy("rgba_9x7_rgb.npy"), Images.readRgb(resource("rgba_9x7.png")), 0, "rgba");
    assertClose(npy("gray_9x7_rgb.npy"), Images.readRgb(resource("gray_9x7.png")), 0, "grey");
  }

  @Test
  void decodesJpegCloseToPil() throws Exception {
    // two JPEG decoders may round the inverse DCT differently by a level or two, not more
    assertClose(npy("jpg_40x30_rgb.npy"), Images.readRgb(resource("rgb_40x30.jpg")), 3 / 255.0, "jpeg");
  }

  @ParameterizedTest
  @CsvSource({"15, 20, resize_down_15x20.npy", "11, 17, resize_down_11x17.npy", "47, 61, resize_up_47x61.npy",
      "45, 23, resize_mixed_45x23.npy"})
  void resizeMatchesTorchAntialiasedBilinear(int h, int w, String expected) throws Exception {
    Tensor rgb = npy("rgb_40x30_rgb.npy");
    assertClose(npy(expected), BilinearResize.resize(rgb, h, w), 2e-6, expected);
  }

  @Test
  void shrinkingWidensTheTriangleAndGrowingInterpolates() {
    Tensor x = Tensor.of(new float[] {1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31}, 1, 4, 4);
    // shrinking by 2: output 0 sees sources 0, 1, 2 at triangle weights 3/4, 3/4, 1/4 (source -1 is outside),
    // renormalised to 3/7, 3/7, 1/7; output 1 sees sources 1, 2, 3 at 1/7, 3/7, 3/7. x[r][c] = 1 + 8r + 2c.
    Tensor half = BilinearResize.resize(x, 2, 2);
    double lo = 5 / 7.0, hi = 16 / 7.0; // weighted mean index for output 0 and output 1
    float[] expected = {(float) (1 + 8 * lo + 2 * lo), (float) (1 + 8 * lo + 2 * hi), (float) (1 + 8 * hi + 2 * lo),
        (float) (1 + 8 * hi + 2 * hi)};
    assertArrayEquals(expected, half.data(), 1e-5f);
    // a constant image stays constant at any size
    Tensor ones = Tensor.of(new float[] {2, 2, 2, 2, 2, 2}, 1, 2, 3);
    for (float v : BilinearResize.resize(ones, 5, 7).data()) assertEquals(2f, v, 1e-6);
    // upscaling 1x2 -> 1x4: centres at source 0.25, 0.75, 1.25, 1.75: edge, 1/4 of the way, 3/4, edge
    Tensor up = BilinearResize.resize(Tensor.of(new float[] {0, 8}, 1, 1, 2), 1, 4);
    assertArrayEquals(new float[] {0, 2, 6, 8}, up.data(), 1e-6f);
  }

  @Test
  void resizeShorterSideKeepsAspectLikeTorchvision() {
    assertArrayEquals(new int[] {3, 256, 341}, Images.resizeShorterSide(Tensor.zeros(3, 480, 640), 256).shape());
    assertArrayEquals(new int[] {3, 341, 256}, Images.resizeShorterSide(Tensor.zeros(3, 640, 480), 256).shape());
    assertArrayEquals(new int[] {1, 20, 26}, Images.resizeShorterSide(Tensor.zeros(1, 30, 40), 20).shape());
  }

  @Test
  void centerCropRoundsHalfOffsetsToEven() {
    // width 5 -> 2: offset round(1.5) = 2 (ties to even, as Python's round); height 4 -> 1: round(1.5) = 2
    float[] d = new float[20];
    for (int i = 0; i < 20; i++) d[i] = i;
    Tensor c = Images.centerCrop(Tensor.of(d, 1, 4, 5), 1, 2);
    assertArrayEquals(new float[] {12, 13}, c.data());
    // width 4 -> 1: offset round(1.5) = 2; height 5 -> 2: offset round(1.5) = 2
    Tensor c2 = Images.centerCrop(Tensor.of(d, 1, 5, 4), 2, 1);
    assertArrayEquals(new float[] {10, 14}, c2.data());
    // width 7 -> 2: offset round(2.5) = 2
    Tensor c3 = Images.centerCrop(Tensor.of(new float[] {0, 1, 2, 3, 4, 5, 6}, 1, 1, 7), 1, 2);
    assertArrayEquals(new float[] {2, 3}, c3.data());
  }

  @Test
  void pipelineMatchesTorchvisionWithinItsEightBitRounding() throws Exception {
    Tensor x = Images.readRgb(resource("rgb_40x30.png"));
    Tensor t = Images.normalize(Images.centerCrop(Images.resizeShorterSide(x, 20), 16, 16),
        Images.imagenetMean(), Images.imagenetStd());
    // PIL rounds to 8 bits after each resize pass: up to one level each, divided by the smallest std
    assertClose(npy("pipeline_rgb_40x30.npy"), t, 2 / 255.0 / 0.224, "pipeline");
  }

  @Test
  void normalizeAndLayouts() {
    Tensor chw = Tensor.of(new float[] {0.485f, 1f, 0.456f, 0f, 0.406f, 0.5f}, 3, 1, 2);
    Tensor n = Images.normalize(chw, Images.imagenetMean(), Images.imagenetStd());
    assertArrayEquals(new float[] {0, (1 - 0.485f) / 0.229f, 0, -0.456f / 0.224f, 0, (0.5f - 0.406f) / 0.225f},
        n.data(), 1e-6f);
    assertArrayEquals(new int[] {1, 3, 1, 2}, Images.toBatch(n, Layout.NCHW).shape());
    Tensor nhwc = Images.toBatch(chw, Layout.NHWC);
    assertArrayEquals(new int[] {1, 1, 2, 3}, nhwc.shape());
    assertArrayEquals(new float[] {0.485f, 0.456f, 0.406f, 1f, 0f, 0.5f}, nhwc.data());
  }

  @Test
  void imagenetGivesTheCroppedNormalisedBatchInBothLayouts() throws Exception {
    BufferedImage img = new BufferedImage(300, 260, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 260; y++) {
      for (int x = 0; x < 300; x++) img.setRGB(x, y, (x % 256) << 16 | (y % 256) << 8 | 128);
    }
    Path f = tmp.resolve("big.png");
    ImageIO.write(img, "png", f.toFile());
    Tensor nchw = Images.imagenet(f, Layout.NCHW);
    assertArrayEquals(new int[] {1, 3, 224, 224}, nchw.shape());
    Tensor nhwc = Images.imagenet(f, Layout.NHWC);
    assertArrayEquals(new int[] {1, 224, 224, 3}, nhwc.shape());
    // blue is constant 128: normalised to (128/255 - 0.406) / 0.225 everywhere, in both layouts
    float blue = (128 / 255f - 0.406f) / 0.225f;
    int plane = 224 * 224;
    for (int i = 0; i < plane; i += 97) {
      assertEquals(blue, nchw.data()[2 * plane + i], 1e-5);
      assertEquals(blue, nhwc.data()[3 * i + 2], 1e-5);
      assertEquals(nchw.data()[i], nhwc.data()[3 * i], 0f);
    }
  }

  @Test
  void unreadableFilesAreNamed() throws Exception {
    Path missing = tmp.resolve("nope.png");
    NoSuchFileException e1 = assertThrows(NoSuchFileException.class, () -> Images.readRgb(missing));
    assertTrue(e1.getMessage().contains("nope.png"), e1.getMessage());
    IOException e2 = assertThrows(IOException.class, () -> Images.readRgb(resource("not_an_image.png")));
    assertTrue(e2.getMessage().contains("not_an_image.png") && e2.getMessage().contains("not an image"),
        e2.getMessage());
    IOException e3 = assertThrows(IOException.class, () -> Images.readRgb(resource("truncated.png")));
    assertTrue(e3.getMessage().contains("truncated.png"), e3.getMessage());
    IOException e4 = assertThrows(IOException.class, () -> Images.readRgb(tmp));
    assertTrue(e4.getMessage().contains("not a regular file"), e4.getMessage());
    Path empty = Files.write(tmp.resolve("empty.jpg"), new byte[0]);
    assertThrows(IOException.class, () -> Images.readRgb(empty));
  }

  @Test
  void badArgumentsNameTheParameter() {
    Tensor x = Tensor.zeros(3, 4, 5);
    IllegalArgumentException crop = assertThrows(IllegalArgumentException.class, () -> Images.centerCrop(x, 5, 5));
    assertTrue(crop.getMessage().contains("crop 5x5") && crop.getMessage().contains("4x5"), crop.getMessage());
    IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
        () -> Images.resizeShorterSide(x, 0));
    assertTrue(size.getMessage().startsWith("size must be >= 1"), size.getMessage());
    IllegalArgumentException mean = assertThrows(IllegalArgumentException.class,
        () -> Images.normalize(x, new float[2], Images.imagenetStd()));
    assertTrue(mean.getMessage().startsWith("mean must have 3 floats"), mean.getMessage());
    IllegalArgumentException std = assertThrows(IllegalArgumentException.class,
        () -> Images.normalize(x, Images.imagenetMean(), new float[] {1, 0, 1}));
    assertTrue(std.getMessage().startsWith("std[1] must be finite and > 0"), std.getMessage());
    IllegalArgumentException rank = assertThrows(IllegalArgumentException.class,
        () -> BilinearResize.resize(Tensor.zeros(4, 4), 2, 2));
    assertTrue(rank.getMessage().contains("rank 3"), rank.getMessage());
    IllegalArgumentException layout = assertThrows(IllegalArgumentException.class, () -> Images.toBatch(x, null));
    assertTrue(layout.getMessage().startsWith("layout must be NCHW or NHWC"), layout.getMessage());
  }
}
