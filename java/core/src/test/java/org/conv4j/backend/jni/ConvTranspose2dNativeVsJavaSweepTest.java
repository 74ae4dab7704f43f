package org.conv4j.backend.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.conv4j.backend.Plan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dGeometry;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.junit.jupiter.api.Test;

/**
 * The native conv_transpose2d (sub-pixel phases, or SGEMM for 1x1 stride 1) against the Java reference over a seeded randomized sweep: channels
 * from {1,3,7,8,9,15,16,17,32}, sizes not multiples of 8, stride 1-3, asymmetric padding, output_padding, dilation
 * 1-3, groups (up to one channel per group), batch 1-3, bias, every activation, offsets into larger NaN-filled
 * arrays with guard cells around the output, one or two native threads. Tolerance: see
 * {@link NativeOpsTestBase#reductionTolerance}, with K = (in/groups)*kh*kw, the most products any output sums.
 */
class ConvTranspose2dNativeVsJavaSweepTest extends NativeOpsTestBase {
  private static final int CONFIGS = 200;
  private static final int[] CHANNELS = {1, 3, 7, 8, 9, 15, 16, 17, 32};
  private static final Activation[] ACTS = {Activation.NONE, Activation.RELU, Activation.leakyRelu(0.1f),
      Activation.RELU6, Activation.clamp(-0.5f, 0.7f), Activation.SIGMOID, Activation.TANH};
  private record Case(ConvTranspose2dSpec spec, int h, int w, int batch, int offset, int threads) {}

  @Test
  void nativeMatchesJavaReferenceOnRandomizedSweep() {
    SplittableRandom r = new SplittableRandom(0x7A5505EL);
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < CONFIGS; i++) {
      Case c = randomCase(r);
      ConvTranspose2dSpec s = c.spec;
      count(seen, "stride " + Math.max(s.strideH(), s.strideW()));
      count(seen, "dilation " + Math.max(s.dilationH(), s.dilationW()));
      count(seen, "batch " + c.batch);
      count(seen, "bias " + s.hasBias());
      count(seen, "act " + s.activation().kind());
      count(seen, "threads " + c.threads);
      count(seen, s.groups() == 1 ? "dense" : s.groups() == s.inChannels() ? "one channel per group" : "grouped");
      if (Math.min(c.h, c.w) == 1) count(seen, "height or width 1");
      if (s.outputPadH() + s.outputPadW() > 0) count(seen, "output_padding");
      if (s.padTop() != s.padBottom() || s.padLeft() != s.padRight()) count(seen, "asymmetric pads");
      if (s.kernelH() == 1 && s.kernelW() == 1 && s.strideH() == 1 && s.strideW() == 1
          && s.padTop() + s.padLeft() + s.padBottom() + s.padRight() == 0) {
        count(seen, "1x1 gemm only");
      }
      runCase(c, i);
    }
    assertCovered(seen, "stride 1", "stride 2", "stride 3", "dilation 1", "dilation 2", "dilation 3", "batch 1",
        "batch 2", "batch 3", "bias true", "bias false", "threads 1", "threads 2", "dense", "grouped",
        "one channel per group", "output_padding", "asymmetric pads", "1x1 gemm only", "height or width 1");
    for (Activation a : ACTS) assertCovered(seen, "act " + a.kind());
  }

  private static Case randomCase(SplittableRandom r) {
    for (;;) {
      int cin = CHANNELS[r.nextInt(CHANNELS.length)], cout = CHANNELS[r.nextInt(CHANNELS.length)];
      int groups = 1;
      int shape = r.nextInt(8); // 0 one channel per group, 1 grouped, 2 1x1 stride 1, else dense
      if (shape == 0) {
        groups = cin;
        cout = cin * (1 + r.nextInt(2));
      } else if (shape == 1) { // 2-4 groups of 1-5 channels in and out
        groups = 2 + r.nextInt(3);
        cin = groups * (1 + r.nextInt(5));
        cout = groups * (1 + r.nextInt(5));
      }
      boolean oneByOne = shape == 2;
      int kh = oneByOne ? 1 : 1 + r.nextInt(5), kw = oneByOne ? 1 : 1 + r.nextInt(5);
      int sh = oneByOne ? 1 : 1 + r.nextInt(3), sw = oneByOne ? 1 : 1 + r.nextInt(3);
      int dh = 1 + r.nextInt(3), dw = 1 + r.nextInt(3);
      ConvTranspose2dSpec.Builder b = ConvTranspose2dSpec.builder(cin, cout, kh, kw).groups(groups)
          .stride(sh, sw).dilation(dh, dw).bias(r.nextBoolean()).activation(ACTS[r.nextInt(ACTS.length)]);
      if (!oneByOne || r.nextBoolean()) {
        b.padding(r.nextInt(4), r.nextInt(4), r.nextInt(4), r.nextInt(4))
            .outputPadding(r.nextInt(Math.max(sh, dh)), r.nextInt(Math.max(sw, dw)));
      }
      ConvTranspose2dSpec spec = b.build();
      boolean big = (long) cin / groups * cout * kh * kw > 8_000; // keep the Java reference quick
      int h = notMultipleOf8(r, big ? 9 : 17), w = notMultipleOf8(r, big ? 11 : 23);
      try {
        spec.geometry(h, w); // the padding must leave an output of at least 1x1
      } catch (IllegalArgumentException e) {
        continue;
      }
      return new Case(spec, h, w, 1 + r.nextInt(3), r.nextBoolean() ? 0 : 1 + r.nextInt(7), 1 + r.nextInt(2));
    }
  }

  private static int notMultipleOf8(SplittableRandom r, int max) {
    for (;;) {
      int v = 1 + r.nextInt(max);
      if (v % 8 != 0) return v;
    }
  }

  private void runCase(Case c, int index) {
    ConvTranspose2dSpec spec = c.spec;
    int k = spec.inChannels() / spec.groups() * spec.kernelH() * spec.kernelW();
    SplittableRandom r = new SplittableRandom(index * 1_000_003L + 29);
    float[] x = random(r, c.batch * spec.inChannels() * c.h * c.w, 1f);
    float[] w = random(r, (int) spec.weightSize(), (float) (1 / Math.sqrt(k)));
    float[] bias = spec.hasBias() ? random(r, spec.outChannels(), 0.5f) : null;
    ConvTranspose2dSpec absSpec = spec.toBuilder().activation(Activation.NONE).build();
    JAVA.setThreads(1);
    float[] expected, bound;
    try (Plan ref = JAVA.convTranspose2d(spec, c.h, c.w, w, bias);
        Plan mag = JAVA.convTranspose2d(absSpec, c.h, c.w, abs(w), abs(bias))) {
      expected = new float[c.batch * ref.outputSize()];
      bound = new float[expected.length];
      ref.run(x, 0, expected, 0, c.batch);
      mag.run(abs(x), 0, bound, 0, c.batch);
    }
    nat.setThreads(c.threads);
    String what = "config " + index + " " + spec + " on " + c.batch + "x" + c.h + "x" + c.w + ", offset " + c.offset
        + ", threads " + c.threads;
    try (Plan plan = nat.convTranspose2d(spec, c.h, c.w, w, bias)) {
      float[] got = runGuarded(plan, x, c.batch, c.offset, what);
      assertClose(expected, got, reductionTolerance(bound, k), what);
    }
  }

  @Test
  void largeImagesSplitIntoRowBandsAndChannelTiles() {
    // phase path: several channel blocks, tiles and row bands per image; SGEMM + col2im path (5 output channels
    // per group, see conv_transpose2d_use_phase): a 1 MB column panel of 5*25 rows holds 34 input rows of 61, so
    // the 90 rows take several bands
    ConvTranspose2dSpec decoder = ConvTranspose2dSpec.builder(16, 32, 4).stride(2).padding(1).build();
    ConvTranspose2dSpec dilated = ConvTranspose2dSpec.builder(8, 24, 3).stride(3).dilation(2).padding(2, 1, 0, 3)
        .outputPadding(1, 2).groups(2).activation(Activation.RELU).build();
    ConvTranspose2dSpec pointwise = ConvTranspose2dSpec.builder(32, 17, 1).bias(false).build();
    runCase(new Case(decoder, 40, 37, 1, 3, 2), 10_001);
    runCase(new Case(decoder, 40, 37, 2, 0, 1), 10_002);
    runCase(new Case(dilated, 45, 29, 1, 1, 2), 10_003);
    runCase(new Case(pointwise, 61, 67, 2, 2, 2), 10_004);
    ConvTranspose2dSpec narrow = ConvTranspose2dSpec.builder(16, 5, 5).stride(2).padding(2).outputPadding(1)
        .activation(Activation.TANH).build();
    runCase(new Case(narrow, 90, 61, 1, 1, 1), 10_005);
    runCase(new Case(narrow, 90, 61, 2, 0, 2), 10_006);
  }

  @Test
  void phaseDecompositionEdgeCases() {
    // AUTO runs these by sub-pixel phases (out_channels/groups of 6, 7, 8 or >= 12: little lane padding, see
    // conv_transpose2d_use_phase): phases without any tap (kernel < stride), dilation a multiple of the stride
    // (every tap in one phase), pads that leave whole rows without taps, output_padding rows, 1..3 channel
    // blocks of 16 with 1, 7, 8, 15 channels left, widths giving 1..4 tiles of 6 phase pixels, one input
    // channel per group, every activation
    ConvTranspose2dSpec[] specs = {
        ConvTranspose2dSpec.builder(3, 6, 1).stride(2).activation(Activation.RELU).build(),
        ConvTranspose2dSpec.builder(7, 7, 2, 1).stride(3, 2).outputPadding(2, 1).build(),
        ConvTranspose2dSpec.builder(8, 33, 3).stride(2).dilation(2).padding(1).build(),
        ConvTranspose2dSpec.builder(9, 16, 3, 2).stride(2, 3).dilation(3, 1).padding(3, 0, 2, 1)
            .outputPadding(2, 1).activation(Activation.leakyRelu(0.2f)).build(),
        ConvTranspose2dSpec.builder(15, 15, 4).stride(2).padding(1).activation(Activation.SIGMOID).build(),
        ConvTranspose2dSpec.builder(16, 40, 3).stride(2).padding(1).outputPadding(1)
            .activation(Activation.clamp(-0.3f, 0.4f)).build(),
        ConvTranspose2dSpec.builder(17, 7, 5).stride(3).padding(4, 3, 2, 1).outputPadding(1, 2).bias(false)
            .activation(Activation.TANH).build(),
        ConvTranspose2dSpec.builder(1, 8, 3).stride(1).padding(2).build(),
        ConvTranspose2dSpec.builder(6, 18, 3).groups(3).stride(2).padding(1).outputPadding(1).build(),
        ConvTranspose2dSpec.builder(4, 32, 2).groups(4).stride(2).activation(Activation.RELU6).build(),
    };
    int[][] sizes = {{1, 1}, {1, 7}, {5, 3}, {6, 13}, {11, 19}, {20, 2}, {3, 20}};
    int index = 20_000;
    for (ConvTranspose2dSpec spec : specs) {
      for (int[] hw : sizes) {
        try {
          spec.geometry(hw[0], hw[1]);
        } catch (IllegalArgumentException e) {
          continue; // the padding leaves no output for this size
        }
        runCase(new Case(spec, hw[0], hw[1], 1 + index % 3, index % 4, 1 + index % 2), index++);
      }
    }
    assertTrue(index > 20_000 + specs.length * 5, "too few cases ran: " + (index - 20_000));
  }

  @Test
  void phasesWithoutTapsGetTheBiasAlone() {
    // kernel 1, stride 2 (6 output channels: the phase path): odd rows and columns receive no tap; they must hold
    // bias, not stale memory; even ones exactly w * x + bias (small integers and halves)
    ConvTranspose2dSpec spec = ConvTranspose2dSpec.builder(1, 6, 1).stride(2).outputPadding(1).build();
    float[] w = {2, -3, 1, 0, 0.5f, -1}, b = {0.5f, -1, 0, 2, -0.5f, 1}, x = {1, 10, -4};
    try (Plan plan = nat.convTranspose2d(spec, 3, 1, w, b)) {
      float[] y = new float[6 * 6 * 2];
      java.util.Arrays.fill(y, Float.NaN);
      plan.run(x, 0, y, 0, 1);
      float[] expected = new float[y.length];
      for (int c = 0; c < 6; c++) {
        for (int oh = 0; oh < 6; oh++) {
          for (int ow = 0; ow < 2; ow++) {
            boolean tap = oh % 2 == 0 && ow == 0;
            expected[(c * 6 + oh) * 2 + ow] = tap ? w[c] * x[oh / 2] + b[c] : b[c];
          }
        }
      }
      assertArrayEqualsExact(expected, y);
    }
  }

  @Test
  void hitsTheExactValuesOfAHandComputedCase() {
    // 1 -> 1 channel, kernel 2, stride 2, no padding: every input pixel stamps its own 2x2 block of w * x
    ConvTranspose2dSpec spec = ConvTranspose2dSpec.builder(1, 1, 2).stride(2).bias(false).build();
    try (Plan plan = nat.convTranspose2d(spec, 2, 2, new float[] {1, 2, 3, 4}, null)) {
      float[] y = new float[16];
      plan.run(new float[] {1, 10, 100, 1000}, 0, y, 0, 1);
      assertArrayEqualsExact(new float[] {1, 2, 10, 20, 3, 4, 30, 40, 100, 200, 1000, 2000, 300, 400, 3000, 4000}, y);
    }
  }

  private static void assertArrayEqualsExact(float[] expected, float[] got) {
    assertEquals(expected.length, got.length);
    for (int i = 0; i < expected.length; i++) assertEquals(expected[i], got[i], 0f, "element " + i);
  }

  @Test
  void wrongSpansAreRejectedInJavaBeforeNative() {
    ConvTranspose2dSpec spec = ConvTranspose2dSpec.builder(3, 4, 3).stride(2).padding(1).outputPadding(1).build();
    try (Plan plan = nat.convTranspose2d(spec, 5, 6, new float[3 * 4 * 9], new float[4])) {
      int in = plan.inputSize(), out = plan.outputSize();
      assertEquals(4 * 10 * 12, out);
      float[] y = new float[2 * out];
      assertJavaRejects(() -> plan.run(new float[2 * in - 1], 0, y, 0, 2), "input", String.valueOf(2 * in));
      assertJavaRejects(() -> plan.run(new float[2 * in], 1, y, 0, 2), "input", "offset 1");
      assertJavaRejects(() -> plan.run(new float[2 * in], 0, new float[2 * out - 1], 0, 2), "output");
      assertJavaRejects(() -> plan.run(new float[2 * in], 0, y, 1, 2), "output", "offset 1");
      assertJavaRejects(() -> plan.run(new float[2 * in], -1, y, 0, 2), "input", "offset -1");
      assertJavaRejects(() -> plan.run(new float[2 * in], 0, y, 0, 0), "batch", "0");
      float[] both = new float[in + out];
      assertJavaRejects(() -> plan.run(both, 0, both, in - 1, 1), "overlaps");
      for (float v : y) assertEquals(0f, v, "a rejected run wrote the output");
    }
  }

  @Test
  void nativeCreateAndRunRecheckEverything() {
    int[] ok = NativeBackend.convParams(2, 4, new Conv2dGeometry(5, 6, 0, 0, 1, 1, 1, 1), 3, 3, 2, 2, 1, 1, 2, 0,
        Activation.NONE, 1, 1);
    float[] w = new float[2 * 2 * 9], b = new float[4];
    long h = NativeLib.c4j_conv_transpose2d_create(ok, ok.length, w, w.length, b, b.length, 0, 0);
    assertTrue(h != 0, NativeLib.c4j_last_error());
    try {
      int nx = 2 * 5 * 6, ny = 4 * 10 * 12; // (5-1)*2 - 2 + 2 + 1 + 1 = 10, (6-1)*2 - 2 + 2 + 1 + 1 = 12
      float[] x = new float[nx], y = new float[ny];
      assertEquals(NativeLib.OK, NativeLib.c4j_conv_transpose2d_run(h, 1, x, nx, 0, y, ny, 0),
          NativeLib.c4j_last_error());
      assertNativeArgError(NativeLib.c4j_conv_transpose2d_run(h, 1, x, nx - 1, 0, y, ny, 0), "x", String.valueOf(nx));
      assertNativeArgError(NativeLib.c4j_conv_transpose2d_run(h, 1, x, nx, 0, y, ny, 1), "y", "offset 1");
      assertNativeArgError(NativeLib.c4j_conv_transpose2d_run(h, 2, x, nx, 0, y, ny, 0), "x", String.valueOf(2 * nx));
      assertNativeArgError(NativeLib.c4j_conv_transpose2d_run(h, 0, x, nx, 0, y, ny, 0), "batch");
      float[] both = new float[nx + ny];
      assertNativeArgError(NativeLib.c4j_conv_transpose2d_run(h, 1, both, both.length, 0, both, both.length, 1),
          "overlap");
    } finally {
      NativeLib.c4j_plan_destroy(h);
    }
    assertNativeCreateFails(create(ok, 18, 7), "output_padding_w", "max(stride_w, dilation_w)");
    assertNativeCreateFails(create(ok, 0, 3), "in_channels must be divisible by groups", "groups=2");
    assertNativeCreateFails(create(ok, 3, 5), "out_channels must be divisible by groups", "out_channels=5");
    assertNativeCreateFails(create(ok, 15, 1), "padding_mode", "C4J_PAD_ZEROS");
    assertNativeCreateFails(create(ok, 8, -1), "pad_top must be >= 0");
    assertNativeCreateFails(create(ok, 6, 0), "stride_h must be >= 1");
    assertNativeCreateFails(create(ok, 16, 9), "activation", "9");
    int[] shrink = ok.clone(); // (1-1)*1 - 3 - 3 + 1*(3-1) + 0 + 1 < 1
    shrink[1] = 1; shrink[6] = 1; shrink[8] = 3; shrink[10] = 3; shrink[17] = 0;
    assertNativeCreateFails(NativeLib.c4j_conv_transpose2d_create(shrink, shrink.length, w, w.length, b, b.length, 0,
        0), "output height", "must be >= 1");
    assertNativeCreateFails(NativeLib.c4j_conv_transpose2d_create(ok, ok.length - 1, w, w.length, b, b.length, 0, 0),
        "nparams");
    assertNativeCreateFails(NativeLib.c4j_conv_transpose2d_create(ok, ok.length, w, w.length - 1, b, b.length, 0, 0),
        "weight_len", String.valueOf(w.length));
    assertNativeCreateFails(NativeLib.c4j_conv_transpose2d_create(ok, ok.length, w, w.length, b, 3, 0, 0),
        "bias_len", "out_channels");
    assertNativeCreateFails(NativeLib.c4j_conv_transpose2d_create(ok, ok.length, w, w.length, null, 4, 0, 0),
        "bias_len", "null bias");
    int[] clamp = ok.clone();
    clamp[16] = Activation.Kind.CLAMP.code;
    assertNativeCreateFails(NativeLib.c4j_conv_transpose2d_create(clamp, clamp.length, w, w.length, b, b.length, 2,
        1), "clamp", "min");
  }

  /** Creates from ok with params[i] = v (weights sized for ok). */
  private static long create(int[] ok, int i, int v) {
    int[] p = ok.clone();
    p[i] = v;
    float[] w = new float[2 * 2 * 9];
    return NativeLib.c4j_conv_transpose2d_create(p, p.length, w, w.length, new float[4], 4, 0, 0);
  }
}
