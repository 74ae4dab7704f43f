package org.conv4j.backend.java;

import static org.conv4j.backend.java.TestArrays.abs;
import static org.conv4j.backend.java.TestArrays.assertClose;
import static org.conv4j.backend.java.TestArrays.random;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.conv4j.backend.Conv2dAlgorithm;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dGeometry;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.PaddingMode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * DIRECT (the plain-loop reference), IM2COL_GEMM, WINOGRAD and DEPTHWISE agree on randomized configurations:
 * awkward channel counts, odd widths, strides, asymmetric pads, dilation, groups, every padding mode, residual and
 * activation, batch 1-2, one and two threads.
 */
class JavaConv2dAlgorithmsTest {
  private static final JavaBackend JAVA = JavaBackend.instance();
  private static final int[] CHANNELS = {1, 3, 7, 8, 9, 15, 16, 17};
  private static final Activation[] ACTS = {Activation.NONE, Activation.RELU, Activation.leakyRelu(0.1f),
      Activation.RELU6, Activation.SIGMOID, Activation.TANH};

  private final int savedThreads = JAVA.threads();

  @AfterEach
  void restoreThreads() {
    JAVA.setThreads(savedThreads);
  }

  static List<Long> seeds() {
    List<Long> s = new ArrayList<>();
    for (long i = 0; i < 60; i++) s.add(i);
    return s;
  }

  @ParameterizedTest
  @MethodSource("seeds")
  void im2colGemmMatchesDirect(long seed) {
    SplittableRandom r = new SplittableRandom(seed * 7919 + 1);
    int groups = new int[] {1, 1, 1, 2, 3}[r.nextInt(5)];
    int cin = CHANNELS[r.nextInt(CHANNELS.length)] * groups;
    int cout = CHANNELS[r.nextInt(CHANNELS.length)] * groups;
    if (r.nextInt(6) == 0) { // depthwise, possibly with a channel multiplier
      groups = cin;
      cout = cin * (1 + r.nextInt(2));
    }
    int kh = 1 + r.nextInt(4), kw = 1 + r.nextInt(4);
    int sh = 1 + r.nextInt(3), sw = 1 + r.nextInt(3);
    int dh = r.nextInt(4) == 0 ? 2 : 1, dw = r.nextInt(4) == 0 ? 2 : 1;
    int h = Math.max(5 + r.nextInt(9), dh * (kh - 1) + 1), w = Math.max(5 + r.nextInt(12), dw * (kw - 1) + 1);
    PaddingMode mode = PaddingMode.values()[r.nextInt(4)];
    int maxPad = Math.min(3, Math.min(h, w) - 1);
    int pt = r.nextInt(maxPad + 1), pl = r.nextInt(maxPad + 1), pb = r.nextInt(maxPad + 1),
        pr = r.nextInt(maxPad + 1);
    boolean bias = r.nextBoolean(), residual = r.nextBoolean();
    Activation act = ACTS[r.nextInt(ACTS.length)];
    Conv2dSpec spec = Conv2dSpec.builder(cin, cout, kh, kw).stride(sh, sw).dilation(dh, dw).groups(groups)
        .padding(pt, pl, pb, pr).paddingMode(mode).bias(bias).activation(act).build();
    Conv2dGeometry g = spec.geometry(h, w);
    int batch = 1 + r.nextInt(2); // batch 1 with 2 threads splits output channels, batch 2 splits images
    int outSize = cout * g.outH() * g.outW();
    float[] x = random(seed, batch * cin * h * w);
    float[] weight = random(seed + 1000, (int) spec.weightSize());
    float[] b = bias ? random(seed + 2000, cout) : null;
    float[] res = residual ? random(seed + 3000, batch * outSize) : null;

    JAVA.setThreads(1);
    float[] expected = run(spec, h, w, weight, b, Conv2dAlgorithm.DIRECT, x, res, batch, outSize);
    int k = (cin / groups) * kh * kw;
    double tol = 1e-6 * k + 1e-6;
    for (int threads = 1; threads <= 2; threads++) {
      JAVA.setThreads(threads);
      float[] actual = run(spec, h, w, weight, b, Conv2dAlgorithm.IM2COL_GEMM, x, res, batch, outSize);
      assertClose(expected, actual, tol, spec + " on " + h + "x" + w + ", threads " + threads);
    }
    JAVA.setThreads(2);
    assertClose(expected, run(spec, h, w, weight, b, Conv2dAlgorithm.DIRECT, x, res, batch, outSize), 0,
        "DIRECT with 2 threads");
  }

  /**
   * DEPTHWISE against DIRECT: one input channel per group, channel multipliers 1-3, kernels 1-5 x 1-5, strides 1-3,
   * dilation 1-2, asymmetric pads, every padding mode, output rows under and over 32 floats (JavaGemm's narrow and
   * wide loops), bias, activation, residual separate or in place, batch 1-2, one and two threads.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void depthwiseMatchesDirect(long seed) {
    SplittableRandom r = new SplittableRandom(seed * 15485863 + 5);
    int cin = CHANNELS[r.nextInt(CHANNELS.length)], cout = cin * (1 + r.nextInt(3));
    int kh = 1 + r.nextInt(5), kw = 1 + r.nextInt(5), sh = 1 + r.nextInt(3), sw = 1 + r.nextInt(3);
    int dh = r.nextInt(3) == 0 ? 2 : 1, dw = r.nextInt(3) == 0 ? 2 : 1;
    int h = Math.max(1 + r.nextInt(r.nextBoolean() ? 10 : 40), dh * (kh - 1) + 1);
    int w = Math.max(1 + r.nextInt(r.nextBoolean() ? 10 : 90), dw * (kw - 1) + 1);
    PaddingMode mode = PaddingMode.values()[r.nextInt(4)];
    int maxPad = Math.min(3, Math.min(h, w) - 1);
    int pt = r.nextInt(maxPad + 1), pl = r.nextInt(maxPad + 1), pb = r.nextInt(maxPad + 1),
        pr = r.nextInt(maxPad + 1);
    Conv2dSpec spec = Conv2dSpec.builder(cin, cout, kh, kw).stride(sh, sw).dilation(dh, dw).groups(cin)
        .padding(pt, pl, pb, pr).paddingMode(mode).bias(r.nextBoolean()).activation(ACTS[r.nextInt(ACTS.length)])
        .build();
    Conv2dGeometry g = spec.geometry(h, w);
    int batch = 1 + r.nextInt(2), outSize = cout * g.outH() * g.outW();
    float[] x = random(seed, batch * cin * h * w);
    float[] weight = random(seed + 1000, (int) spec.weightSize());
    float[] b = spec.hasBias() ? random(seed + 2000, cout) : null;
    float[] res = r.nextBoolean() ? random(seed + 3000, batch * outSize) : null;
    boolean inPlace = res != null && r.nextBoolean();

    JAVA.setThreads(1);
    float[] expected = run(spec, h, w, weight, b, Conv2dAlgorithm.DIRECT, x, res, batch, outSize);
    assertRunsClose(spec, h, w, weight, b, Conv2dAlgorithm.DEPTHWISE, x, res, inPlace, batch, expected,
        1e-6 * kh * kw + 1e-6);
  }

  /**
   * DEPTHWISE on maps large enough to go in bands of output rows (each band's buffers within
   * JavaDepthwise.MAX_FLOATS): stride 1 and stride 2 with dilation, a channel multiplier, residual, two threads.
   */
  @ParameterizedTest
  @MethodSource("bandedDepthwiseCases")
  void depthwiseInBandsMatchesDirect(int k, int stride, int dilation, int h, int w) {
    Conv2dSpec spec = Conv2dSpec.builder(2, 4, k).groups(2).stride(stride).dilation(dilation).padding(k / 2 * dilation)
        .bias(true).activation(Activation.RELU6).build();
    Conv2dGeometry g = spec.geometry(h, w);
    float[] weight = random(7, (int) spec.weightSize());
    JavaDepthwise d = new JavaDepthwise(weight, 2, k, k, stride, stride, dilation, dilation, h, w, g.outH(), g.outW(),
        g.padTop(), g.padLeft());
    org.junit.jupiter.api.Assertions.assertTrue(d.bandRows() < g.outH(), "bands of " + d.bandRows() + " rows");
    int outSize = 4 * g.outH() * g.outW();
    float[] x = random(8, 2 * h * w), b = random(9, 4), res = random(10, outSize);
    JAVA.setThreads(1);
    float[] expected = run(spec, h, w, weight, b, Conv2dAlgorithm.DIRECT, x, res, 1, outSize);
    assertRunsClose(spec, h, w, weight, b, Conv2dAlgorithm.DEPTHWISE, x, res, false, 1, expected, 1e-6 * k * k + 1e-6);
  }

  static List<Object[]> bandedDepthwiseCases() {
    return List.of(new Object[] {3, 1, 1, 700, 301}, new Object[] {5, 2, 2, 900, 333});
  }

  /**
   * WINOGRAD against DIRECT on 3x3 stride-1 layers: 16-40 input channels per group, groups 1-2, maps from one tile
   * to several chunks of tile rows (ragged right and bottom tiles), every padding mode, residual separate or in
   * place, batch 1-3, one and two threads. Its rounding error scales with a whole 6x6 input tile rather than each
   * output's window (see the native sweep's WINOGRAD_FACTOR): allowed 10 * k * u of the largest output magnitude
   * sum|x*w| + |b| + |r|, orders of magnitude below what a wrong coefficient or index does.
   */
  @ParameterizedTest
  @MethodSource("seeds")
  void winogradMatchesDirect(long seed) {
    if (seed >= 30) return; // half the seeds: the DIRECT reference is slow on the larger maps
    SplittableRandom r = new SplittableRandom(seed * 104729 + 3);
    int groups = 1 + r.nextInt(2);
    int cig = new int[] {16, 17, 24, 40}[r.nextInt(4)], cog = CHANNELS[r.nextInt(CHANNELS.length)];
    int h = 1 + r.nextInt(r.nextBoolean() ? 12 : 60), w = 1 + r.nextInt(r.nextBoolean() ? 12 : 150);
    PaddingMode mode = PaddingMode.values()[r.nextInt(4)];
    int maxPad = Math.min(2, Math.min(h, w) - 1);
    int pt = r.nextInt(maxPad + 1), pl = r.nextInt(maxPad + 1), pb = r.nextInt(maxPad + 1),
        pr = r.nextInt(maxPad + 1);
    if (h + pt + pb < 3 || w + pl + pr < 3) return; // no output: nothing to compare
    Conv2dSpec spec = Conv2dSpec.builder(cig * groups, cog * groups, 3).groups(groups).padding(pt, pl, pb, pr)
        .paddingMode(mode).bias(r.nextBoolean()).activation(ACTS[r.nextInt(ACTS.length)]).build();
    int batch = 1 + r.nextInt(3);
    boolean residual = r.nextBoolean();
    assertWinogradMatchesDirect(spec, h, w, batch, seed, residual, residual && r.nextBoolean());
  }

  /**
   * WINOGRAD over more than 256 output channels per group on maps of few tiles, where its weights are kept as
   * separate rows (JavaGemm.gemmRows): depth with and without a ragged last block of four, past one depth block.
   */
  @ParameterizedTest
  @MethodSource("wideCases")
  void winogradWideLayersMatchDirect(int cig, int cog, int groups, int h, int w, int batch) {
    Conv2dSpec spec = Conv2dSpec.builder(cig * groups, cog * groups, 3).groups(groups).padding(1)
        .bias(true).activation(Activation.RELU).build();
    assertWinogradMatchesDirect(spec, h, w, batch, cig * 31L + cog, true, false);
  }

  static List<Object[]> wideCases() {
    return List.of(new Object[] {17, 257, 1, 7, 9, 2}, new Object[] {131, 260, 2, 5, 6, 1},
        new Object[] {16, 300, 1, 1, 1, 3}, new Object[] {24, 512, 1, 7, 7, 1});
  }

  /**
   * Outputs are sums started at +0, never -0, even when every input, bias and residual is -0: the kernels'
   * ReLU (JavaElementwise.activationOfSums) relies on it. Every algorithm, with the residual and without.
   */
  @ParameterizedTest
  @MethodSource("algorithms")
  void outputsAreNeverNegativeZero(Conv2dAlgorithm algo) {
    int cout = algo == Conv2dAlgorithm.DEPTHWISE ? 16 : 8;
    Conv2dSpec spec = Conv2dSpec.builder(16, cout, 3).groups(algo == Conv2dAlgorithm.DEPTHWISE ? 16 : 1).padding(1)
        .bias(true).build();
    int h = 9, w = 10, outSize = cout * h * w;
    float[] x = TestArrays.filled(16 * h * w, -0f), weight = random(5, (int) spec.weightSize()); // products ±0
    float[] b = TestArrays.filled(cout, -0f), res = TestArrays.filled(outSize, -0f);
    for (float[] r : new float[][] {null, res}) {
      float[] y = run(spec, h, w, weight, b, algo, x, r, 1, outSize);
      for (int i = 0; i < y.length; i++) {
        org.junit.jupiter.api.Assertions.assertEquals(0, Float.floatToRawIntBits(y[i]),
            algo + (r == null ? "" : " with residual") + ": output " + i + " is " + y[i]);
      }
    }
  }

  static List<Conv2dAlgorithm> algorithms() {
    return List.of(Conv2dAlgorithm.DIRECT, Conv2dAlgorithm.IM2COL_GEMM, Conv2dAlgorithm.WINOGRAD,
        Conv2dAlgorithm.DEPTHWISE);
  }

  private static void assertWinogradMatchesDirect(Conv2dSpec spec, int h, int w, int batch, long seed,
      boolean residual, boolean inPlace) {
    int cig = spec.inChannels() / spec.groups();
    Conv2dGeometry g = spec.geometry(h, w);
    int outSize = spec.outChannels() * g.outH() * g.outW();
    float[] x = random(seed, batch * spec.inChannels() * h * w);
    float[] weight = random(seed + 1000, (int) spec.weightSize());
    float[] b = spec.hasBias() ? random(seed + 2000, spec.outChannels()) : null;
    float[] res = residual ? random(seed + 3000, batch * outSize) : null;

    JAVA.setThreads(1);
    float[] expected = run(spec, h, w, weight, b, Conv2dAlgorithm.DIRECT, x, res, batch, outSize);
    Conv2dSpec absSpec = spec.toBuilder().activation(Activation.NONE).build();
    float[] bound = run(absSpec, h, w, abs(weight), abs(b), Conv2dAlgorithm.DIRECT, abs(x), abs(res),
        batch, outSize);
    double max = 0;
    for (float v : bound) max = Math.max(max, v);
    double tol = 10 * (cig * 9 + 2) * 0x1p-24 * max;
    assertRunsClose(spec, h, w, weight, b, Conv2dAlgorithm.WINOGRAD, x, res, inPlace, batch, expected, tol);
  }

  /** algo against expected within tol at one and two threads, the residual separate or already in y (inPlace). */
  private static void assertRunsClose(Conv2dSpec spec, int h, int w, float[] weight, float[] b, Conv2dAlgorithm algo,
      float[] x, float[] res, boolean inPlace, int batch, float[] expected, double tol) {
    for (int threads = 1; threads <= 2; threads++) {
      JAVA.setThreads(threads);
      Conv2dPlan plan = JAVA.conv2d(spec, h, w, weight, b, algo);
      org.junit.jupiter.api.Assertions.assertEquals(algo, plan.algorithm(), "the algorithm the plan runs");
      float[] y = new float[expected.length];
      float[] r2 = res;
      if (inPlace) {
        System.arraycopy(res, 0, y, 0, y.length);
        r2 = y;
      }
      plan.run(x, 0, y, 0, batch, r2, 0);
      assertClose(expected, y, tol, algo + " " + spec + " on " + batch + "x" + h + "x" + w + ", threads " + threads
          + (inPlace ? ", residual in place" : ""));
    }
  }

  private static float[] run(Conv2dSpec spec, int h, int w, float[] weight, float[] bias, Conv2dAlgorithm algo,
      float[] x, float[] res, int batch, int outSize) {
    Conv2dPlan plan = JAVA.conv2d(spec, h, w, weight, bias, algo);
    float[] y = new float[batch * outSize];
    plan.run(x, 0, y, 0, batch, res, 0);
    return y;
  }
}
