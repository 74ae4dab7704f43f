package org.conv4j.backend.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.conv4j.backend.Conv2dAlgorithm;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.backend.java.JavaBackend;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dGeometry;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.PaddingMode;
import org.junit.jupiter.api.Test;

/**
 * The native conv2d against the Java reference ({@link JavaBackend}'s DIRECT: double accumulation, plain loops) over a
 * seeded randomized sweep: channels from {1,3,7,8,9,15,16,17,32,64}, sizes that are not multiples of 8, every
 * padding mode, asymmetric / same / valid padding, stride and dilation 1-3, groups including depthwise with a
 * multiplier, batch 1-3, bias, every activation, residual (separate or in place), offsets into larger arrays,
 * one or two native threads, and every native algorithm forced where it applies, plus AUTO. WINOGRAD gets a wider
 * allowance, explained at {@link #WINOGRAD_FACTOR}.
 *
 * <p>Tolerance: {@link #reductionTolerance} per output element, K = (in/groups)*kh*kw, A_i from the Java backend
 * run on absolute values (with the residual's magnitude added).
 */
class Conv2dNativeVsJavaSweepTest extends NativeOpsTestBase {
  private static final int CONFIGS = 600;
  private static final int[] CHANNELS = {1, 3, 7, 8, 9, 15, 16, 17, 32, 64};
  private static final Activation[] ACTS = {Activation.NONE, Activation.RELU, Activation.leakyRelu(0.1f),
      Activation.RELU6, Activation.clamp(-0.5f, 0.7f), Activation.SIGMOID, Activation.TANH};
  private static final Conv2dAlgorithm[] NATIVE_ALGOS = {Conv2dAlgorithm.AUTO, Conv2dAlgorithm.DIRECT,
      Conv2dAlgorithm.IM2COL_GEMM, Conv2dAlgorithm.GEMM_1X1, Conv2dAlgorithm.DEPTHWISE, Conv2dAlgorithm.WINOGRAD,
      Conv2dAlgorithm.WINOGRAD_2X2};

  /** One randomized configuration. */
  private record Case(Conv2dSpec spec, int h, int w, int batch, boolean residual, boolean inPlace, int offset,
      int threads) {}

  @Test
  void nativeMatchesJavaReferenceOnRandomizedSweep() {
    SplittableRandom r = new SplittableRandom(0xC04A11L);
    Map<String, Integer> seen = new TreeMap<>();
    Map<Conv2dAlgorithm, Integer> forced = new EnumMap<>(Conv2dAlgorithm.class);
    for (int i = 0; i < CONFIGS; i++) {
      Case c = randomCase(r);
      count(seen, "mode " + c.spec.paddingMode());
      count(seen, "padding " + c.spec.paddingKind());
      count(seen, "act " + c.spec.activation().kind());
      count(seen, "stride " + Math.max(c.spec.strideH(), c.spec.strideW()));
      count(seen, "dilation " + Math.max(c.spec.dilationH(), c.spec.dilationW()));
      count(seen, "batch " + c.batch);
      count(seen, "bias " + c.spec.hasBias());
      count(seen, "residual " + (c.residual ? (c.inPlace ? "in place" : "separate") : "none"));
      count(seen, c.spec.isDepthwise() ? (c.spec.outChannels() > c.spec.inChannels() ? "depthwise x mult"
          : "depthwise") : c.spec.groups() > 1 ? "grouped" : "dense");
      count(seen, "threads " + c.threads);
      if (c.spec.paddingKind() == Conv2dSpec.PaddingKind.EXPLICIT
          && (c.spec.padTop() != c.spec.padBottom() || c.spec.padLeft() != c.spec.padRight())) {
        count(seen, "asymmetric pads");
      }
      runCase(c, i, forced);
    }
    // the sweep really covered what it claims: every value of every dimension occurred
    for (PaddingMode m : PaddingMode.values()) assertCovered(seen, "mode " + m);
    for (Activation a : ACTS) assertCovered(seen, "act " + a.kind());
    for (Conv2dSpec.PaddingKind k : Conv2dSpec.PaddingKind.values()) assertCovered(seen, "padding " + k);
    assertCovered(seen, "stride 1", "stride 2", "stride 3", "dilation 1", "dilation 2", "dilation 3", "batch 1",
        "batch 2", "batch 3", "bias true", "bias false", "residual none", "residual separate", "residual in place",
        "depthwise", "depthwise x mult", "grouped", "dense", "threads 1", "threads 2", "asymmetric pads");
    for (Conv2dAlgorithm a : NATIVE_ALGOS) {
      assertTrue(forced.getOrDefault(a, 0) >= 40, a + " ran only " + forced.get(a) + " times: " + forced);
    }
  }

  /**
   * WINOGRAD and WINOGRAD_2X2 on maps of many chunks of tile rows (chunks of about 16 tiles: these weights are small;
   * the random sweep's maps are one to three chunks, split phase by phase across the threads): whole chunks per
   * thread, chunks running across images (batch 3 on a narrow map), groups, ragged tile edges and every padding mode.
   */
  @Test
  void winogradOnMultiChunkMapsMatchesJava() {
    Map<Conv2dAlgorithm, Integer> runs = new EnumMap<>(Conv2dAlgorithm.class);
    int index = CONFIGS;
    for (PaddingMode mode : PaddingMode.values()) {
      Conv2dSpec dense = Conv2dSpec.builder(16, 17, 3).padding(1).paddingMode(mode).activation(Activation.RELU).build();
      Conv2dSpec grouped = Conv2dSpec.builder(34, 38, 3).groups(2).padding(1, 0).paddingMode(mode).build();
      runCase(new Case(dense, 30, 101, 1, true, false, 3, 2), index++, runs);
      runCase(new Case(dense, 61, 99, 2, true, true, 0, 2), index++, runs);
      runCase(new Case(grouped, 27, 50, 1, false, false, 1, 2), index++, runs);
      // F(4x4): chunks of 5 tile rows, 7 rows an image; F(2x2): chunks of 2, 13 an image
      runCase(new Case(grouped, 26, 13, 3, true, false, 0, 1), index++, runs);
    }
    assertEquals(16, runs.get(Conv2dAlgorithm.WINOGRAD), "WINOGRAD forced on every case: " + runs);
    assertEquals(16, runs.get(Conv2dAlgorithm.WINOGRAD_2X2), "WINOGRAD_2X2 forced on every case: " + runs);
  }

  /**
   * Maps whose tile rows are 4 tiles wide (F(4x4): 13-16 columns, F(2x2): 7-8), transformed two tile rows per vector
   * and read straight from the input: an odd tile-row count leaves a row alone, pairs stop at image and chunk
   * boundaries (batch 2-3; chunks of 4 tile rows on small weights, 24 on large ones, where a chunk spans images),
   * padding reaches into the first and last tiles of each row, and two threads split a chunk's phases.
   */
  @Test
  void winogradOnRowsOfFourTilesMatchesJava() {
    Map<Conv2dAlgorithm, Integer> runs = new EnumMap<>(Conv2dAlgorithm.class);
    int index = CONFIGS + 100;
    for (PaddingMode mode : PaddingMode.values()) {
      Conv2dSpec small = Conv2dSpec.builder(16, 7, 3).padding(1).paddingMode(mode).activation(Activation.RELU).build();
      Conv2dSpec asym = Conv2dSpec.builder(17, 9, 3).padding(2, 1, 0, 2).paddingMode(mode).build();
      runCase(new Case(small, 14, 14, 1, true, true, 0, 1), index++, runs); // F(4x4) 4 x 4 tiles: two pairs
      runCase(new Case(small, 19, 16, 3, true, false, 1, 2), index++, runs); // F(4x4) 5 tile rows of 4
      runCase(new Case(small, 13, 7, 2, false, false, 0, 2), index++, runs); // F(2x2) 7 tile rows of 4
      runCase(new Case(asym, 30, 13, 1, false, false, 2, 1), index++, runs); // F(4x4) 8 rows of 4, 14 wide
    }
    // large weights: one chunk of three images, each 3 (F(4x4), 14 wide) or 5 (F(2x2), 8 wide) tile rows of 4
    Conv2dSpec wide = Conv2dSpec.builder(192, 160, 3).padding(1).activation(Activation.RELU).build();
    runCase(new Case(wide, 10, 14, 3, true, true, 0, 2), index++, runs);
    runCase(new Case(wide, 10, 8, 3, true, false, 0, 2), index++, runs);
    int cases = 4 * PaddingMode.values().length + 2;
    assertEquals(cases, runs.get(Conv2dAlgorithm.WINOGRAD), "WINOGRAD forced on every case: " + runs);
    assertEquals(cases, runs.get(Conv2dAlgorithm.WINOGRAD_2X2), "WINOGRAD_2X2 forced on every case: " + runs);
  }

  /**
   * AUTO on a map under 16 F(4x4) tiles: with 32+ input channels it runs F(2x2) where that wastes little (7x7: 16
   * tiles of 2x2, 64 outputs for 49; not 5x5: 36 for 25), else DIRECT; and WINOGRAD from the batch with 16 F(4x4)
   * tiles (7x7: 4 images), or with 8 that waste little for 128+ input channels (7x7: 2 images; 11x11 and 12x12 at
   * batch 1, not 10x10: 144 outputs for 100). The results match the reference on both sides of the switch.
   */
  @Test
  void autoSwitchesToWinogradForBatchesOfEnoughTiles() {
    Conv2dSpec narrow = Conv2dSpec.builder(16, 24, 3).padding(1).bias(false).activation(Activation.RELU).build();
    Conv2dSpec wide = Conv2dSpec.builder(32, 24, 3).padding(1).activation(Activation.RELU).build();
    Conv2dSpec deep = Conv2dSpec.builder(128, 8, 3).padding(1).activation(Activation.RELU).build();
    assertAuto(narrow, 7, Conv2dAlgorithm.DIRECT, 4);
    assertAuto(wide, 7, Conv2dAlgorithm.WINOGRAD_2X2, 4);
    assertAuto(wide, 6, Conv2dAlgorithm.WINOGRAD_2X2, 4);
    assertAuto(wide, 5, Conv2dAlgorithm.DIRECT, 4);
    assertAuto(wide, 12, Conv2dAlgorithm.WINOGRAD_2X2, 2);
    assertAuto(deep, 7, Conv2dAlgorithm.WINOGRAD_2X2, 2);
    assertAuto(deep, 6, Conv2dAlgorithm.WINOGRAD_2X2, 4); // 4x4 tiles compute 64 outputs for 36
    assertAuto(deep, 12, Conv2dAlgorithm.WINOGRAD, 1);
    assertAuto(deep, 11, Conv2dAlgorithm.WINOGRAD, 1);
    assertAuto(deep, 10, Conv2dAlgorithm.WINOGRAD_2X2, 2);
    try (Conv2dPlan plan = nat.conv2d(narrow, 7, 7, new float[(int) narrow.weightSize()], null)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> plan.algorithm(0));
      assertTrue(e.getMessage().contains("batch"), e.getMessage());
    }
    Map<Conv2dAlgorithm, Integer> runs = new EnumMap<>(Conv2dAlgorithm.class);
    runCase(new Case(narrow, 7, 7, 3, true, false, 2, 2), CONFIGS + 100, runs);
    runCase(new Case(narrow, 7, 7, 1, true, true, 0, 1), CONFIGS + 101, runs);
    runCase(new Case(wide, 7, 7, 1, true, false, 1, 2), CONFIGS + 102, runs);
    runCase(new Case(wide, 7, 7, 2, true, true, 0, 1), CONFIGS + 103, runs);
    runCase(new Case(wide, 5, 5, 4, false, false, 0, 2), CONFIGS + 104, runs);
    runCase(new Case(deep, 7, 7, 1, true, false, 0, 2), CONFIGS + 105, runs);
    runCase(new Case(deep, 7, 7, 2, false, false, 3, 1), CONFIGS + 106, runs);
    assertEquals(7, runs.get(Conv2dAlgorithm.AUTO), "AUTO ran on every case: " + runs);
  }

  /** AUTO's plan for a size x size map runs `first` for batch 1 and WINOGRAD from batch `from` on. */
  private static void assertAuto(Conv2dSpec spec, int size, Conv2dAlgorithm first, int from) {
    float[] bias = spec.hasBias() ? new float[spec.outChannels()] : null;
    try (Conv2dPlan plan = nat.conv2d(spec, size, size, new float[(int) spec.weightSize()], bias)) {
      String what = spec + " on " + size + "x" + size;
      assertEquals(first, plan.algorithm(), what);
      for (int b = 1; b < from; b++) assertEquals(first, plan.algorithm(b), what + ", batch " + b);
      assertEquals(Conv2dAlgorithm.WINOGRAD, plan.algorithm(from), what + ", batch " + from);
      assertEquals(Conv2dAlgorithm.WINOGRAD, plan.algorithm(from + 5), what + ", batch " + (from + 5));
    }
  }

  /**
   * GEMM_1X1 reading its input in place from planes of whole vectors at each of the 8 alignments of the input (its
   * first 0-7 pixels then run as a tile of their own, the chunks cut the rest): few output channels, groups, a small
   * map with up to 128 output channels, batches, residuals (in y too), both thread counts, and an input over 256K
   * floats (B's rows streamed with prefetches). Out-of-range reads meet NaN guards around the input.
   */
  @Test
  void gemm1x1InPlaceAtEveryAlignmentMatchesJava() {
    Map<Conv2dAlgorithm, Integer> runs = new EnumMap<>(Conv2dAlgorithm.class);
    int index = CONFIGS + 100;
    Conv2dSpec few = Conv2dSpec.builder(40, 24, 1).paddingValid().activation(Activation.RELU6).build();
    Conv2dSpec grouped = Conv2dSpec.builder(48, 36, 1).groups(3).paddingValid().build(); // 12 outputs a group
    Conv2dSpec small = Conv2dSpec.builder(64, 96, 1).paddingValid().build(); // 16x16: in place up to 128
    for (int offset = 0; offset < 8; offset++) {
      runCase(new Case(few, 12, 10, 2, offset % 2 == 0, offset == 3, offset, 1 + offset % 2), index++, runs);
      runCase(new Case(grouped, 8, 9, 1, true, false, offset, 2), index++, runs);
      runCase(new Case(small, 16, 16, 1 + offset % 2, false, false, offset, 1 + offset / 4), index++, runs);
    }
    runCase(new Case(few, 88, 96, 1, true, false, 5, 2), index++, runs); // 40 x 8448 floats
    runCase(new Case(few, 88, 96, 1, false, false, 2, 1), index++, runs);
    assertEquals(26, runs.get(Conv2dAlgorithm.GEMM_1X1), "GEMM_1X1 forced on every case: " + runs);
  }

  /**
   * DIRECT's blocking beyond the random sweep's sizes: maps of several 96-pixel bands, reductions of several
   * chunks (128 steps for several taps on several bands, else 256; partial sums parked between them), 7x7 maps (49
   * pixels in tiles of 5-6), stride 2 and a 7x7 stride-2 stem, groups with partial channel blocks, residual separate and in place, batch 1-3, every padding mode;
   * and unpadded 1x1 kernels, whose input DIRECT packs into tile panels instead of padding it (in 64-channel slices
   * shared by the threads; one band of one image: by each thread for itself): 7x7 and 14x14 maps (one band and
   * three), stride 2, groups, 300 input channels (two chunks, five slices).
   */
  @Test
  void directOnBandsAndChunksMatchesJava() {
    Map<Conv2dAlgorithm, Integer> runs = new EnumMap<>(Conv2dAlgorithm.class);
    int index = CONFIGS + 200;
    for (PaddingMode mode : PaddingMode.values()) {
      Conv2dSpec a = Conv2dSpec.builder(40, 17, 3).stride(2).padding(1, 2, 0, 1).paddingMode(mode)
          .activation(Activation.RELU).build();
      Conv2dSpec b = Conv2dSpec.builder(18, 33, 5, 3).groups(3).dilation(2, 1).padding(2).paddingMode(mode).build();
      Conv2dSpec c = Conv2dSpec.builder(64, 24, 3).padding(1).paddingMode(mode).bias(false).build();
      Conv2dSpec stem = Conv2dSpec.builder(3, 20, 7).stride(2).padding(3).paddingMode(mode).build();
      runCase(new Case(a, 37, 45, 1, true, true, 0, 2), index++, runs);
      runCase(new Case(b, 21, 19, 2, true, false, 1, 2), index++, runs);
      runCase(new Case(c, 7, 7, 3, true, true, 0, 2), index++, runs);
      runCase(new Case(stem, 45, 51, 1, true, false, 2, 1), index++, runs);
    }
    Conv2dSpec wide = Conv2dSpec.builder(300, 40, 1).activation(Activation.RELU).build();
    Conv2dSpec strided = Conv2dSpec.builder(24, 17, 1).stride(2).build();
    Conv2dSpec grouped = Conv2dSpec.builder(36, 20, 1).groups(2).bias(false).build();
    runCase(new Case(wide, 7, 7, 1, true, true, 0, 2), index++, runs);
    runCase(new Case(wide, 14, 14, 2, true, false, 1, 1), index++, runs);
    runCase(new Case(strided, 13, 15, 2, false, false, 0, 2), index++, runs);
    runCase(new Case(strided, 13, 15, 1, true, false, 1, 2), index++, runs);
    runCase(new Case(grouped, 9, 5, 3, true, true, 2, 2), index++, runs);
    runCase(new Case(grouped, 3, 1, 1, false, false, 0, 1), index++, runs);
    assertEquals(22, runs.get(Conv2dAlgorithm.DIRECT), "DIRECT forced on every case: " + runs);
  }

  /**
   * IM2COL_GEMM on stride-2 stems (1-4 input channels, dilation 1, one group), which read the input's four phases
   * instead of an im2col panel: kernels 2-7, square and not, output rows of wide tiles and a remainder of 1, 2 or 3
   * vectors with partial last ones, output channels in partial panels and panel groups, asymmetric pads, residual
   * separate and in place, batch 1-3, offsets, one or two threads, every padding mode.
   */
  @Test
  void im2colOnStrideTwoStemsMatchesJava() {
    Map<Conv2dAlgorithm, Integer> runs = new EnumMap<>(Conv2dAlgorithm.class);
    int index = CONFIGS + 300;
    for (PaddingMode mode : PaddingMode.values()) {
      Conv2dSpec k7 = Conv2dSpec.builder(3, 20, 7).stride(2).padding(3).paddingMode(mode)
          .activation(Activation.RELU).build();
      Conv2dSpec k3 = Conv2dSpec.builder(3, 13, 3).stride(2).padding(1).paddingMode(mode).build();
      Conv2dSpec k5x3 = Conv2dSpec.builder(4, 9, 5, 3).stride(2).padding(2, 1, 0, 2).paddingMode(mode)
          .activation(Activation.TANH).build();
      Conv2dSpec k2 = Conv2dSpec.builder(1, 30, 2).stride(2).paddingValid().bias(false)
          .activation(Activation.clamp(-0.5f, 0.7f)).build();
      Conv2dSpec k4 = Conv2dSpec.builder(2, 8, 4).stride(2).padding(1).paddingMode(mode).build();
      runCase(new Case(k7, 45, 101, 1, true, false, 0, 2), index++, runs); // 51 wide: 2 wide tiles + 3
      runCase(new Case(k3, 57, 61, 2, true, true, 1, 1), index++, runs); // 31 wide: 24 + 7
      runCase(new Case(k5x3, 23, 40, 3, false, false, 2, 2), index++, runs); // 21 wide: one partial wide tile
      runCase(new Case(k2, 17, 35, 1, true, false, 0, 1), index++, runs); // 17 wide
      runCase(new Case(k4, 30, 66, 1, true, true, 3, 2), index++, runs); // 33 wide: 24 + 9 (two vectors)
    }
    int cases = 5 * PaddingMode.values().length;
    assertEquals(cases, runs.get(Conv2dAlgorithm.IM2COL_GEMM), "IM2COL_GEMM forced on every case: " + runs);
  }

  private static Case randomCase(SplittableRandom r) {
    for (;;) {
      int cin = CHANNELS[r.nextInt(CHANNELS.length)], cout = CHANNELS[r.nextInt(CHANNELS.length)];
      int groups = 1;
      int shape = r.nextInt(11); // 0-1 depthwise, 2 grouped, 3-4 1x1, 5-6 3x3 stride 1 (Winograd), else dense
      int kh = 1 + r.nextInt(5), kw = 1 + r.nextInt(5);
      if (shape <= 1 && cin > 1) {
        groups = cin;
        cout = cin * (1 + r.nextInt(3)); // channel multiplier 1-3
      } else if (shape == 2) {
        List<Integer> common = new ArrayList<>();
        for (int g = 2; g <= Math.min(cin, cout); g++) if (cin % g == 0 && cout % g == 0) common.add(g);
        if (!common.isEmpty()) groups = common.get(r.nextInt(common.size()));
      } else if (shape == 3 || shape == 4) {
        kh = kw = 1;
      } else if (shape == 5 || shape == 6) {
        kh = kw = 3;
        cin = CHANNELS[6 + r.nextInt(4)]; // WINOGRAD needs at least 16 input channels
      }
      // keep the Java reference fast: the largest reductions get small images
      boolean big = (long) cin / groups * cout * kh * kw > 20_000;
      int h = notMultipleOf8(r, big ? 11 : 23), w = notMultipleOf8(r, big ? 13 : 29);
      Conv2dSpec.Builder b = Conv2dSpec.builder(cin, cout, kh, kw).groups(groups).bias(r.nextBoolean())
          .paddingMode(PaddingMode.values()[r.nextInt(4)]).activation(ACTS[r.nextInt(ACTS.length)]);
      boolean oneByOne = (shape == 3 || shape == 4) && r.nextInt(3) > 0; // GEMM_1X1: stride 1, no padding
      boolean winograd = shape == 5 || shape == 6;
      b.stride(oneByOne || winograd ? 1 : 1 + r.nextInt(3), oneByOne || winograd ? 1 : 1 + r.nextInt(3));
      b.dilation(winograd ? 1 : 1 + r.nextInt(3), winograd ? 1 : 1 + r.nextInt(3));
      int padding = r.nextInt(6);
      if (oneByOne || padding == 0) {
        b.paddingValid();
      } else if (padding == 1) {
        b.paddingSame().stride(1);
      } else {
        b.padding(r.nextInt(4), r.nextInt(4), r.nextInt(4), r.nextInt(4));
      }
      Conv2dSpec spec = b.build();
      try {
        spec.geometry(h, w); // PyTorch's rules: kernel fits, reflect/circular pads small enough
      } catch (IllegalArgumentException e) {
        continue;
      }
      boolean residual = r.nextInt(3) > 0;
      return new Case(spec, h, w, 1 + r.nextInt(3), residual, residual && r.nextInt(3) == 0,
          r.nextBoolean() ? 0 : 1 + r.nextInt(7), 1 + r.nextInt(2));
    }
  }

  private static int notMultipleOf8(SplittableRandom r, int max) {
    for (;;) {
      int v = 1 + r.nextInt(max);
      if (v % 8 != 0) return v;
    }
  }

  private static void runCase(Case c, int index, Map<Conv2dAlgorithm, Integer> forced) {
    Conv2dSpec spec = c.spec;
    Conv2dGeometry g = spec.geometry(c.h, c.w);
    int k = spec.inChannels() / spec.groups() * spec.kernelH() * spec.kernelW();
    SplittableRandom r = new SplittableRandom(index * 1_000_003L + 17);
    int inSize = spec.inChannels() * c.h * c.w, outSize = spec.outChannels() * g.outH() * g.outW();
    int n = c.batch;
    float[] x = random(r, n * inSize, 1f);
    float[] w = random(r, (int) spec.weightSize(), (float) (1 / Math.sqrt(k))); // pre-activations O(1)
    float[] bias = spec.hasBias() ? random(r, spec.outChannels(), 0.5f) : null;
    float[] res = c.residual ? random(r, n * outSize, 0.5f) : null;

    float[] expected = new float[n * outSize];
    float[] bound = new float[n * outSize]; // A_i = sum |x*w| + |bias| + |residual|
    Conv2dSpec absSpec = spec.toBuilder().activation(Activation.NONE).build();
    JAVA.setThreads(1);
    try (Conv2dPlan ref = JAVA.conv2d(spec, c.h, c.w, w, bias, Conv2dAlgorithm.DIRECT);
        Conv2dPlan mag = JAVA.conv2d(absSpec, c.h, c.w, abs(w), abs(bias), Conv2dAlgorithm.DIRECT)) {
      ref.run(x, 0, expected, 0, n, res, 0);
      mag.run(abs(x), 0, bound, 0, n, abs(res), 0);
    }

    nat.setThreads(c.threads);
    for (Conv2dAlgorithm algo : NATIVE_ALGOS) {
      if (!applies(algo, spec, g)) continue;
      String what = "config " + index + " " + spec + " on " + n + "x" + c.h + "x" + c.w + ", " + algo
          + (c.inPlace ? ", residual in place" : "") + ", offset " + c.offset + ", threads " + c.threads;
      float[] got;
      Conv2dAlgorithm ran; // AUTO resolves to one of the others: the tolerance is that one's
      try (Conv2dPlan plan = nat.conv2d(spec, c.h, c.w, w, bias, algo)) {
        if (algo != Conv2dAlgorithm.AUTO) assertEquals(algo, plan.algorithm(), what);
        assertNotEquals(Conv2dAlgorithm.AUTO, plan.algorithm(), what);
        ran = plan.algorithm(c.batch);
        got = runNative(plan, c, x, res, outSize);
      }
      forced.merge(algo, 1, Integer::sum);
      assertClose(expected, got, reductionTolerance(tileScale(ran, bound, n, spec.outChannels(), g.outH(),
          g.outW()), k), what + " (ran " + ran + ")");
    }
  }

  /**
   * WINOGRAD's extra error allowance. F(4x4, 3x3) sums in the transformed domain: the input transform B^T d B
   * (row sums of |B^T| up to 10), the 36 products, and the output transform A^T m A (row sums of |A^T| up to 19)
   * each round values up to those factors times the tile's inputs, so an output's error scales with its whole 6x6
   * input tile rather than its own 3x3 window, and can exceed direct summation's by a factor of order ten. Over
   * this sweep the worst WINOGRAD error was 0.8 of the direct allowance (on the tile-wide scale below), so 10
   * leaves an order of magnitude of margin; a wrong transform coefficient errs by O(scale), far above it.
   */
  private static final double WINOGRAD_FACTOR = 10;

  /** The half-width of the neighbourhood whose output tiles can hold a pixel: R - 1 for R x R tiles. */
  private static int tileReach(Conv2dAlgorithm algo) {
    return algo == Conv2dAlgorithm.WINOGRAD ? 3 : algo == Conv2dAlgorithm.WINOGRAD_2X2 ? 1 : -1;
  }

  /**
   * The magnitude each output's error scales with: its own A_i, or for WINOGRAD the largest A over the 7x7
   * neighbourhood (any 4x4 output tile holding the pixel lies inside it, whatever the tiles' alignment; 3x3 for
   * WINOGRAD_2X2's 2x2 tiles) times {@link #WINOGRAD_FACTOR}.
   */
  private static float[] tileScale(Conv2dAlgorithm algo, float[] bound, int batch, int channels, int oh, int ow) {
    int reach = tileReach(algo);
    if (reach < 0) return bound;
    float[] s = new float[bound.length];
    for (int p = 0; p < batch * channels; p++) {
      int base = p * oh * ow;
      for (int y = 0; y < oh; y++) {
        for (int x = 0; x < ow; x++) {
          float m = 0;
          for (int yy = Math.max(0, y - reach); yy <= Math.min(oh - 1, y + reach); yy++) {
            for (int xx = Math.max(0, x - reach); xx <= Math.min(ow - 1, x + reach); xx++) {
              m = Math.max(m, bound[base + yy * ow + xx]);
            }
          }
          s[base + y * ow + x] = (float) (WINOGRAD_FACTOR * m);
        }
      }
    }
    return s;
  }

  /** Runs at c.offset inside NaN-filled / guard-filled arrays (checking the guards); returns the output. */
  private static float[] runNative(Conv2dPlan plan, Case c, float[] x, float[] res, int outSize) {
    int n = c.batch, off = c.offset, len = n * outSize;
    float[] xs = embed(x, off, 3, Float.NaN);
    float[] ys = guarded(off, len, 5);
    String what = plan.algorithm() + " on " + c;
    if (res == null) {
      plan.run(xs, off, ys, off, n);
      return span(ys, off, len, what);
    }
    if (!c.inPlace) {
      plan.run(xs, off, ys, off, n, embed(res, off, 2, Float.NaN), off);
      return span(ys, off, len, what);
    }
    float[] yr = embed(res, off, 5, GUARD); // y holds the residual: y = act(conv + bias + y)
    plan.run(xs, off, yr, off, n, yr, off);
    return span(yr, off, len, what);
  }

  private static boolean applies(Conv2dAlgorithm a, Conv2dSpec s, Conv2dGeometry g) {
    switch (a) {
      case GEMM_1X1:
        boolean materialised = s.paddingMode() != PaddingMode.ZEROS; // pads become part of the input
        boolean unpadded = materialised
            || g.padTop() + g.padLeft() + g.padBottom() + g.padRight() == 0;
        return s.kernelH() == 1 && s.kernelW() == 1 && s.strideH() == 1 && s.strideW() == 1 && unpadded;
      case DEPTHWISE:
        return s.groups() == s.inChannels();
      case WINOGRAD:
      case WINOGRAD_2X2:
        return s.kernelH() == 3 && s.kernelW() == 3 && s.strideH() == 1 && s.strideW() == 1 && s.dilationH() == 1
            && s.dilationW() == 1 && s.inChannels() / s.groups() >= 16;
      default:
        return true;
    }
  }
}
