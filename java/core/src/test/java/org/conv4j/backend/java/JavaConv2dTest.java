package org.conv4j.backend.java;

import static org.conv4j.backend.java.TestArrays.assertExact;
import static org.conv4j.backend.java.TestArrays.filled;
import static org.conv4j.backend.java.TestArrays.iota;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.conv4j.Tensor;
import org.conv4j.backend.Conv2dAlgorithm;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.PaddingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Hand-computed conv2d cases, each run with both Java algorithms. */
class JavaConv2dTest {
  private static final JavaBackend JAVA = JavaBackend.instance();

  private static Tensor conv(Conv2dSpec spec, Conv2dAlgorithm algo, float[] x, int h, int w, float[] weight,
      float[] bias) {
    Conv2dPlan plan = JAVA.conv2d(spec, h, w, weight, bias, algo);
    assertEquals(algo, plan.algorithm());
    return plan.run(Tensor.of(x, x.length / (spec.inChannels() * h * w), spec.inChannels(), h, w));
  }

  /** x[i][j] = 7i + j; a 3x3 window of ones starting at (r, c) sums to 63(r+1) + 9(c+1). */
  private static float windowSum7(int r, int c) {
    return 63f * (r + 1) + 9f * (c + 1);
  }

  @ParameterizedTest
  @EnumSource(names = {"DIRECT", "IM2COL_GEMM"})
  void sevenBySevenWithThreeByThreeGivesFiveByFiveAtStrideOne(Conv2dAlgorithm algo) {
    Tensor y = conv(Conv2dSpec.builder(1, 1, 3).bias(false).build(), algo, iota(49), 7, 7, filled(9, 1f), null);
    assertArrayEquals(new int[] {1, 1, 5, 5}, y.shape());
    assertEquals(0f + 1 + 2 + 7 + 8 + 9 + 14 + 15 + 16, y.data()[0]); // 72
    float[] expected = new float[25];
    for (int i = 0; i < 5; i++) for (int j = 0; j < 5; j++) expected[i * 5 + j] = windowSum7(i, j);
    assertExact(expected, y.data(), "7x7 * 3x3");
  }

  @ParameterizedTest
  @EnumSource(names = {"DIRECT", "IM2COL_GEMM"})
  void strideTwoGivesThreeByThree(Conv2dAlgorithm algo) {
    Tensor y = conv(Conv2dSpec.builder(1, 1, 3).stride(2).bias(false).build(), algo, iota(49), 7, 7,
        filled(9, 1f), null);
    assertArrayEquals(new int[] {1, 1, 3, 3}, y.shape());
    float[] expected = new float[9];
    for (int i = 0; i < 3; i++) for (int j = 0; j < 3; j++) expected[i * 3 + j] = windowSum7(2 * i, 2 * j);
    assertExact(expected, y.data(), "stride 2");
    assertEquals(63f * 5 + 9f * 5, y.data()[8]); // window at (4, 4): 360
  }

  @Test
  void strideThreeOnSevenIsRejectedInStrictMode() {
    Conv2dSpec spec = Conv2dSpec.builder(1, 1, 3).stride(3).strict(true).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JAVA.conv2d(spec, 7, 7, filled(9, 1f), new float[1]));
    assertTrue(e.getMessage().contains("stride 3"), e.getMessage());
    assertTrue(e.getMessage().contains("(7 + 0 + 0 - 1*(3-1) - 1) / 3 = 4/3"), e.getMessage());
    // without strict, PyTorch floors: (7 - 3) / 3 + 1 = 2
    assertEquals(2, Conv2dSpec.builder(1, 1, 3).stride(3).build().geometry(7, 7).outH());
  }

  @ParameterizedTest
  @EnumSource(names = {"DIRECT", "IM2COL_GEMM"})
  void paddingOneKeepsSevenBySeven(Conv2dAlgorithm algo) {
    Tensor y = conv(Conv2dSpec.builder(1, 1, 3).padding(1).bias(false).build(), algo, iota(49), 7, 7,
        filled(9, 1f), null);
    assertArrayEquals(new int[] {1, 1, 7, 7}, y.shape());
    float[] d = y.data();
    assertEquals(0f + 1 + 7 + 8, d[0]); // corner: four taps inside
    assertEquals(0f + 1 + 2 + 7 + 8 + 9, d[1]); // top edge: six taps
    assertEquals(windowSum7(0, 0), d[8]); // interior (1, 1) is the unpadded window at (0, 0)
    assertEquals(40f + 41 + 47 + 48, d[48]); // bottom-right corner
  }

  @ParameterizedTest
  @EnumSource(names = {"DIRECT", "IM2COL_GEMM"})
  void sixFiveByFiveFiltersOnThirtyTwoCubedGiveTwentyEightBySix(Conv2dAlgorithm algo) {
    float[] bias = {0, 1, 2, 3, 4, 5};
    Tensor y = conv(Conv2dSpec.builder(3, 6, 5).build(), algo, filled(3 * 32 * 32, 1f), 32, 32,
        filled(6 * 3 * 5 * 5, 1f), bias);
    assertArrayEquals(new int[] {1, 6, 28, 28}, y.shape());
    float[] expected = new float[6 * 28 * 28];
    for (int oc = 0; oc < 6; oc++) java.util.Arrays.fill(expected, oc * 784, (oc + 1) * 784, 75f + oc);
    assertExact(expected, y.data(), "5x5x3 filters");
  }

  // A 1x1 identity kernel with padding 1 returns the padded input itself: F.pad(x, mode) of [[1,2,3],[4,5,6],[7,8,9]].
  private static float[] padded(PaddingMode mode, Conv2dAlgorithm algo, int t, int l, int b, int r) {
    Conv2dSpec spec = Conv2dSpec.builder(1, 1, 1).padding(t, l, b, r).paddingMode(mode).bias(false).build();
    return conv(spec, algo, new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3, 3, new float[] {1}, null).data();
  }

  @ParameterizedTest
  @EnumSource(names = {"DIRECT", "IM2COL_GEMM"})
  void eachPaddingModeOnATinyInput(Conv2dAlgorithm algo) {
    assertExact(new float[] {0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 4, 5, 6, 0, 0, 7, 8, 9, 0, 0, 0, 0, 0, 0},
        padded(PaddingMode.ZEROS, algo, 1, 1, 1, 1), "zeros");
    assertExact(new float[] {5, 4, 5, 6, 5, 2, 1, 2, 3, 2, 5, 4, 5, 6, 5, 8, 7, 8, 9, 8, 5, 4, 5, 6, 5},
        padded(PaddingMode.REFLECT, algo, 1, 1, 1, 1), "reflect");
    assertExact(new float[] {1, 1, 2, 3, 3, 1, 1, 2, 3, 3, 4, 4, 5, 6, 6, 7, 7, 8, 9, 9, 7, 7, 8, 9, 9},
        padded(PaddingMode.REPLICATE, algo, 1, 1, 1, 1), "replicate");
    assertExact(new float[] {9, 7, 8, 9, 7, 3, 1, 2, 3, 1, 6, 4, 5, 6, 4, 9, 7, 8, 9, 7, 3, 1, 2, 3, 1},
        padded(PaddingMode.CIRCULAR, algo, 1, 1, 1, 1), "circular");
    // asymmetric: top 2, left 0, bottom 0, right 1
    assertExact(new float[] {7, 8, 9, 8, 4, 5, 6, 5, 1, 2, 3, 2, 4, 5, 6, 5, 7, 8, 9, 8},
        padded(PaddingMode.REFLECT, algo, 2, 0, 0, 1), "asymmetric reflect");
    // circular may pad by the whole input: rows wrap to 1..3 again
    assertExact(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 1, 2, 3, 4, 5, 6, 7, 8, 9},
        padded(PaddingMode.CIRCULAR, algo, 0, 0, 3, 0), "circular by the input size");
  }

  @ParameterizedTest
  @EnumSource(names = {"DIRECT", "IM2COL_GEMM"})
  void replicatePaddingFeedsARealKernel(Conv2dAlgorithm algo) {
    // 2x2 input [[1,2],[3,4]] replicate-padded by 1 is [[1,1,2,2],[1,1,2,2],[3,3,4,4],[3,3,4,4]]; 3x3 ones sums
    Conv2dSpec spec = Conv2dSpec.builder(1, 1, 3).padding(1).paddingMode(PaddingMode.REPLICATE).bias(false).build();
    float[] y = conv(spec, algo, new float[] {1, 2, 3, 4}, 2, 2, filled(9, 1f), null).data();
    assertExact(new float[] {1 + 1 + 2 + 1 + 1 + 2 + 3 + 3 + 4, 1 + 2 + 2 + 1 + 2 + 2 + 3 + 4 + 4,
        1 + 1 + 2 + 3 + 3 + 4 + 3 + 3 + 4, 1 + 2 + 2 + 3 + 4 + 4 + 3 + 4 + 4}, y, "replicate 3x3");
  }

  @ParameterizedTest
  @EnumSource(names = {"DIRECT", "IM2COL_GEMM"})
  void dilationSpreadsTheTaps(Conv2dAlgorithm algo) {
    // x[i][j] = 5i + j; taps at rows and columns {0, 2, 4}: 3*5*(0+2+4) + 3*(0+2+4) = 108
    Conv2dSpec spec = Conv2dSpec.builder(1, 1, 3).dilation(2).bias(false).build();
    Tensor y = conv(spec, algo, iota(25), 5, 5, filled(9, 1f), null);
    assertArrayEquals(new int[] {1, 1, 1, 1}, y.shape());
    assertEquals(108f, y.data()[0]);
    // with padding 2 the output stays 5x5; at (0, 0) only taps (0,0), (0,2), (2,0), (2,2) are inside
    Conv2dSpec padded = Conv2dSpec.builder(1, 1, 3).dilation(2).padding(2).bias(false).build();
    Tensor yp = conv(padded, algo, iota(25), 5, 5, filled(9, 1f), null);
    assertArrayEquals(new int[] {1, 1, 5, 5}, yp.shape());
    assertEquals(0f + 2 + 10 + 12, yp.data()[0]);
    assertEquals(108f, yp.data()[12]);
  }

  @ParameterizedTest
  @EnumSource(names = {"DIRECT", "IM2COL_GEMM"})
  void groupsSeeOnlyTheirOwnChannels(Conv2dAlgorithm algo) {
    // channels hold 1, 10, 100, 1000; group 0 -> oc0 = 1*1 + 2*10, group 1 -> oc1 = 3*100 + 4*1000
    float[] x = new float[16];
    for (int c = 0; c < 4; c++) java.util.Arrays.fill(x, c * 4, c * 4 + 4, (float) Math.pow(10, c));
    Conv2dSpec spec = Conv2dSpec.builder(4, 2, 1).groups(2).bias(false).build();
    float[] y = conv(spec, algo, x, 2, 2, new float[] {1, 2, 3, 4}, null).data();
    assertExact(new float[] {21, 21, 21, 21, 4300, 4300, 4300, 4300}, y, "groups=2");
  }

  @ParameterizedTest
  @EnumSource(names = {"DIRECT", "IM2COL_GEMM"})
  void depthwiseWithChannelMultiplier(Conv2dAlgorithm algo) {
    // in channels 5 and 7, two filters each: oc0 = 1*5, oc1 = 2*5, oc2 = 3*7, oc3 = 4*7, plus bias 0.5
    Conv2dSpec spec = Conv2dSpec.builder(2, 4, 1).groups(2).build();
    assertTrue(spec.isDepthwise());
    float[] x = {5, 5, 7, 7};
    float[] y = conv(spec, algo, x, 1, 2, new float[] {1, 2, 3, 4}, filled(4, 0.5f)).data();
    assertExact(new float[] {5.5f, 5.5f, 10.5f, 10.5f, 21.5f, 21.5f, 28.5f, 28.5f}, y, "depthwise x2");
  }

  @ParameterizedTest
  @EnumSource(names = {"DIRECT", "IM2COL_GEMM"})
  void fusedEpilogueAddsBiasThenResidualThenActivates(Conv2dAlgorithm algo) {
    Conv2dSpec spec = Conv2dSpec.builder(1, 1, 1).activation(Activation.RELU).build();
    Conv2dPlan plan = JAVA.conv2d(spec, 2, 2, new float[] {1}, new float[] {-1}, algo);
    float[] y = new float[4];
    plan.run(new float[] {-3, -1, 1, 3}, 0, y, 0, 1, new float[] {1, 1, 1, -10}, 0);
    // conv + bias + residual = [-3, -1, 1, -8]
    assertExact(new float[] {0, 0, 1, 0}, y, "relu(conv + bias + residual)");
  }

  @ParameterizedTest
  @EnumSource(names = {"DIRECT", "IM2COL_GEMM"})
  void batchAndOffsetsAddressTheRightImages(Conv2dAlgorithm algo) {
    // two 1x2x2 images after 3 floats of junk; weight 2, bias 1; output after 2 floats of junk
    Conv2dPlan plan = JAVA.conv2d(Conv2dSpec.builder(1, 1, 1).build(), 2, 2, new float[] {2}, new float[] {1}, algo);
    float[] x = {99, 99, 99, 1, 2, 3, 4, 5, 6, 7, 8};
    float[] y = filled(10, -7f);
    float[] res = {0, 100, 100, 100, 100, 100, 100, 100, 100};
    plan.run(x, 3, y, 2, 2, res, 1);
    assertExact(new float[] {-7, -7, 103, 105, 107, 109, 111, 113, 115, 117}, y, "batch 2 with offsets");
  }

  @Test
  void autoPicksWinogradFor3x3Stride1With16InputChannels() {
    Conv2dSpec spec = Conv2dSpec.builder(16, 8, 3).padding(1).bias(false).build();
    float[] w = filled((int) spec.weightSize(), 0.5f);
    assertEquals(Conv2dAlgorithm.WINOGRAD, JAVA.conv2d(spec, 16, 13, w, null).algorithm());
    assertEquals(Conv2dAlgorithm.WINOGRAD, JAVA.conv2d(spec, 3, 3, w, null).algorithm());
    Conv2dSpec strided = Conv2dSpec.builder(16, 8, 3).stride(2).padding(1).bias(false).build();
    assertEquals(Conv2dAlgorithm.IM2COL_GEMM, JAVA.conv2d(strided, 16, 16, w, null).algorithm());
    Conv2dSpec narrow = Conv2dSpec.builder(8, 8, 3).padding(1).bias(false).build();
    assertEquals(Conv2dAlgorithm.IM2COL_GEMM, JAVA.conv2d(narrow, 32, 32, new float[576], null).algorithm());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JAVA.conv2d(narrow, 32, 32, new float[576], null, Conv2dAlgorithm.WINOGRAD));
    assertTrue(e.getMessage().contains("WINOGRAD") && e.getMessage().contains("16 input channels"), e.getMessage());
  }

  /** A residual passed in place (y itself) gives what a separate copy of it gives, on every Java algorithm. */
  @ParameterizedTest
  @EnumSource(value = Conv2dAlgorithm.class, names = {"DIRECT", "IM2COL_GEMM", "WINOGRAD"})
  void residualInPlaceEqualsSeparateResidual(Conv2dAlgorithm algo) {
    Conv2dSpec spec = Conv2dSpec.builder(16, 16, 3).padding(1).activation(Activation.RELU).build();
    float[] w = new float[(int) spec.weightSize()];
    for (int i = 0; i < w.length; i++) w[i] = (float) Math.sin(i) * 0.1f;
    float[] bias = filled(16, 0.25f);
    for (int size : new int[] {8, 17}) { // 17x17: past IM2COL_GEMM's small-map path
      int n = 2, out = 16 * size * size;
      float[] x = new float[n * 16 * size * size];
      for (int i = 0; i < x.length; i++) x[i] = (float) Math.cos(i);
      float[] res = new float[n * out];
      for (int i = 0; i < res.length; i++) res[i] = (float) Math.sin(0.3 * i);
      Conv2dPlan plan = JAVA.conv2d(spec, size, size, w, bias, algo);
      float[] separate = new float[n * out];
      plan.run(x, 0, separate, 0, n, res, 0);
      float[] inPlace = new float[n * out + 3];
      System.arraycopy(res, 0, inPlace, 3, n * out);
      plan.run(x, 0, inPlace, 3, n, inPlace, 3);
      assertArrayEquals(separate, java.util.Arrays.copyOfRange(inPlace, 3, 3 + n * out), algo + " " + size);
    }
  }

  @Test
  void autoPicksIm2colGemm() {
    assertEquals(Conv2dAlgorithm.IM2COL_GEMM,
        JAVA.conv2d(Conv2dSpec.builder(1, 1, 3).build(), 5, 5, filled(9, 1f), new float[1]).algorithm());
  }

  /** Depthwise layers (one input channel per group, several groups) run DEPTHWISE, with or without a multiplier. */
  @Test
  void autoPicksDepthwiseForDepthwiseLayers() {
    assertEquals(Conv2dAlgorithm.DEPTHWISE, JAVA.conv2d(Conv2dSpec.builder(4, 4, 3).groups(4).build(), 5, 5,
        filled(36, 1f), new float[4]).algorithm());
    assertEquals(Conv2dAlgorithm.DEPTHWISE, JAVA.conv2d(Conv2dSpec.builder(4, 8, 3).groups(4).build(), 5, 5,
        filled(72, 1f), new float[8]).algorithm());
  }

  /** GEMM_1X1 and WINOGRAD_2X2 are native only; WINOGRAD and DEPTHWISE refuse a layer they do not fit. */
  @ParameterizedTest
  @EnumSource(names = {"GEMM_1X1", "WINOGRAD_2X2", "DEPTHWISE", "WINOGRAD"})
  void algorithmsThatDoNotApplyAreRefused(Conv2dAlgorithm algo) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JAVA.conv2d(Conv2dSpec.builder(2, 1, 3).build(), 5, 5, filled(18, 1f), new float[1], algo));
    assertTrue(e.getMessage().contains(algo.name()), e.getMessage());
  }

  /**
   * A dilated tap that sees no input column at all (regression: im2col's copy of an empty span started outside the
   * input). Conv2d(1, 1, (1, 4), padding="same", dilation 3) on [1, 2, 3]: pads 4 left / 5 right, so output ow reads
   * x at ow - 4, ow - 1, ow + 2, ow + 5, and only one of those is inside: [x2, x0, x1] = [3, 1, 2].
   */
  @ParameterizedTest
  @EnumSource(value = Conv2dAlgorithm.class, names = {"DIRECT", "IM2COL_GEMM"})
  void dilatedTapWithNoInputColumn(Conv2dAlgorithm algo) {
    Conv2dSpec spec = Conv2dSpec.builder(1, 1, 1, 4).paddingSame().dilation(3).bias(false).build();
    Tensor y = conv(spec, algo, new float[] {1, 2, 3}, 1, 3, filled(4, 1f), null);
    assertExact(new float[] {3, 1, 2}, y.data(), algo + " output");
  }
}
