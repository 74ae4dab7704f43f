package org.conv4j.backend.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.conv4j.backend.Plan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.LinearSpec;
import org.junit.jupiter.api.Test;

/**
 * The native linear layer (blocks of 16 packed output features, linear_avx2.cpp) against the Java reference: feature
 * counts from 1 to 1000 (odd ones included, whole and partial blocks), batch 1 to 40 (groups of four images and
 * every remainder), one thread or units split over two, bias or none, every activation, offsets and guard cells.
 * Tolerance: {@link NativeOpsTestBase#reductionTolerance} with K = in_features.
 */
class LinearNativeVsJavaTest extends NativeOpsTestBase {
  private static final int[] FEATURES = {1, 3, 8, 17, 64, 100, 257, 512, 1000};
  private static final int[] BATCHES = {1, 2, 3, 7, 9, 40};
  private static final Activation[] ACTS = {Activation.NONE, Activation.RELU, Activation.leakyRelu(0.2f),
      Activation.RELU6, Activation.clamp(-0.3f, 0.4f), Activation.SIGMOID, Activation.TANH};
  @Test
  void nativeMatchesJavaReference() {
    SplittableRandom r = new SplittableRandom(0x11EA2L);
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < 80; i++) {
      int in = FEATURES[r.nextInt(FEATURES.length)], out = FEATURES[r.nextInt(FEATURES.length)];
      int batch = BATCHES[r.nextInt(BATCHES.length)], threads = 1 + r.nextInt(2);
      LinearSpec spec = new LinearSpec(in, out, r.nextBoolean(), ACTS[r.nextInt(ACTS.length)]);
      // which native path runs (linear.cpp): one thread below 256K multiply-adds, else (block, image group)
      // units split over the pool; images in groups of four, then a group of the 1-3 left
      boolean parallel = threads > 1 && (long) batch * in * out >= 256 * 1024;
      count(seen, parallel ? "split units" : "one thread");
      if (batch >= 4) count(seen, "group of 4");
      if (batch % 4 != 0) count(seen, "rest " + batch % 4);
      count(seen, out % 16 == 0 ? "whole blocks" : "partial block");
      count(seen, "act " + spec.activation().kind());
      count(seen, "bias " + spec.hasBias());
      runCase(spec, batch, r.nextBoolean() ? 0 : 1 + r.nextInt(5), threads, i);
    }
    assertCovered(seen, "one thread", "split units", "group of 4", "rest 1", "rest 2", "rest 3", "whole blocks",
        "partial block", "bias true", "bias false");
    for (Activation a : ACTS) assertCovered(seen, "act " + a.kind());
  }

  private static void runCase(LinearSpec spec, int batch, int offset, int threads, int index) {
    SplittableRandom r = new SplittableRandom(index * 7_919L + 3);
    int in = spec.inFeatures();
    float[] x = random(r, batch * in, 1f);
    float[] w = random(r, (int) spec.weightSize(), (float) (1 / Math.sqrt(in)));
    float[] bias = spec.hasBias() ? random(r, spec.outFeatures(), 0.5f) : null;
    LinearSpec absSpec = new LinearSpec(in, spec.outFeatures(), spec.hasBias(), Activation.NONE);
    JAVA.setThreads(1);
    float[] expected = new float[batch * spec.outFeatures()], bound = new float[expected.length];
    try (Plan ref = JAVA.linear(spec, w, bias); Plan mag = JAVA.linear(absSpec, abs(w), abs(bias))) {
      ref.run(x, 0, expected, 0, batch);
      mag.run(abs(x), 0, bound, 0, batch);
    }
    nat.setThreads(threads);
    String what = "case " + index + " Linear(" + in + ", " + spec.outFeatures() + ", bias=" + spec.hasBias() + ", "
        + spec.activation() + ") batch " + batch + ", offset " + offset + ", threads " + threads;
    try (Plan plan = nat.linear(spec, w, bias)) {
      assertClose(expected, runGuarded(plan, x, batch, offset, what), reductionTolerance(bound, in), what);
    }
  }

  @Test
  void computesAHandCheckedProduct() {
    // y = relu(x W^T + b) with W = [[1, 2], [-3, 4], [0.5, 0]], b = [0, 1, -2]
    LinearSpec spec = new LinearSpec(2, 3, true, Activation.RELU);
    try (Plan plan = nat.linear(spec, new float[] {1, 2, -3, 4, 0.5f, 0}, new float[] {0, 1, -2})) {
      float[] y = new float[6];
      plan.run(new float[] {1, 1, 10, -1}, 0, y, 0, 2);
      // image 0: [3, 1+1, 0.5-2] -> [3, 2, 0]; image 1: [8, -34+1, 5-2] -> [8, 0, 3]
      float[] expected = {3, 2, 0, 8, 0, 3};
      for (int i = 0; i < 6; i++) assertEquals(expected[i], y[i], 0f, "element " + i);
    }
  }

  @Test
  void wrongSpansAreRejectedInJavaBeforeNative() {
    try (Plan plan = nat.linear(new LinearSpec(5, 4), new float[20], new float[4])) {
      float[] y = new float[8];
      assertJavaRejects(() -> plan.run(new float[9], 0, y, 0, 2), "input", "10");
      assertJavaRejects(() -> plan.run(new float[10], 1, y, 0, 2), "input", "offset 1");
      assertJavaRejects(() -> plan.run(new float[10], 0, y, 1, 2), "output", "offset 1");
      assertJavaRejects(() -> plan.run(new float[10], 0, new float[7], 0, 2), "output", "8");
      assertJavaRejects(() -> plan.run(new float[10], 0, y, 0, 0), "batch");
      float[] both = new float[20];
      assertJavaRejects(() -> plan.run(both, 0, both, 9, 2), "overlaps");
      for (float v : y) assertEquals(0f, v, "a rejected run wrote the output");
    }
    assertJavaRejects(() -> nat.linear(new LinearSpec(5, 4), new float[19], new float[4]), "weight", "20");
    assertJavaRejects(() -> nat.linear(new LinearSpec(5, 4), new float[20], new float[3]), "bias", "4");
  }

  @Test
  void nativeCreateAndRunRecheckEverything() {
    float[] w = new float[12], b = new float[3];
    long h = NativeLib.c4j_linear_create(4, 3, w, 12, b, 3, Activation.Kind.NONE.code, 0, 0);
    assertTrue(h != 0, NativeLib.c4j_last_error());
    try {
      float[] x = new float[8], y = new float[6];
      assertEquals(NativeLib.OK, NativeLib.c4j_linear_run(h, 2, x, 8, 0, y, 6, 0), NativeLib.c4j_last_error());
      assertNativeArgError(NativeLib.c4j_linear_run(h, 2, x, 7, 0, y, 6, 0), "x", "need 8");
      assertNativeArgError(NativeLib.c4j_linear_run(h, 2, x, 8, 1, y, 6, 0), "x", "offset 1");
      assertNativeArgError(NativeLib.c4j_linear_run(h, 2, x, 8, 0, y, 5, 0), "y", "need 6");
      assertNativeArgError(NativeLib.c4j_linear_run(h, -2, x, 8, 0, y, 6, 0), "batch");
      float[] both = new float[14];
      assertNativeArgError(NativeLib.c4j_linear_run(h, 2, both, 14, 0, both, 14, 7), "overlap");
      assertEquals(NativeLib.ERR_HANDLE, NativeLib.c4j_pool2d_run(h, 2, x, 8, 0, y, 6, 0), "linear plan as pool");
    } finally {
      NativeLib.c4j_plan_destroy(h);
    }
    assertEquals(NativeLib.ERR_HANDLE, NativeLib.c4j_linear_run(0, 1, new float[4], 4, 0, new float[3], 3, 0));
    assertNativeCreateFails(NativeLib.c4j_linear_create(0, 3, w, 0, b, 3, 0, 0, 0), "in_features must be >= 1");
    assertNativeCreateFails(NativeLib.c4j_linear_create(4, -3, w, 12, b, 3, 0, 0, 0), "out_features must be >= 1");
    assertNativeCreateFails(NativeLib.c4j_linear_create(4, 3, w, 11, b, 3, 0, 0, 0), "weight_len", "12", "got 11");
    assertNativeCreateFails(NativeLib.c4j_linear_create(4, 3, null, 12, b, 3, 0, 0, 0), "weight is null");
    assertNativeCreateFails(NativeLib.c4j_linear_create(4, 3, w, 12, b, 2, 0, 0, 0), "bias_len", "out_features");
    assertNativeCreateFails(NativeLib.c4j_linear_create(4, 3, w, 12, b, 3, 6, 0, 0), "activation", "got 6");
    assertNativeCreateFails(NativeLib.c4j_linear_create(4, 3, w, 12, b, 3, Activation.Kind.LEAKY_RELU.code,
        Float.NaN, 0), "leaky_relu", "finite");
    assertNativeCreateFails(NativeLib.c4j_linear_create(4, 3, w, 12, b, 3, Activation.Kind.CLAMP.code, 1, 0),
        "clamp", "min");
  }
}
