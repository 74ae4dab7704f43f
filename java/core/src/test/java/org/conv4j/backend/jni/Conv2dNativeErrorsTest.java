package org.conv4j.backend.jni;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.conv4j.backend.Conv2dAlgorithm;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.PaddingMode;
import org.junit.jupiter.api.Test;

/**
 * Native conv2d error paths: refused algorithms, closed plans, concurrent runs of one plan, and the native side's
 * own re-validation of the parameter block and buffer spans (called through NativeLib, bypassing Java's checks).
 */
class Conv2dNativeErrorsTest extends NativeOpsTestBase {
  private static float[] random(long seed, int n) {
    return random(new SplittableRandom(seed), n, 1f);
  }

  private static Conv2dPlan plan(Conv2dSpec spec, int h, int w, Conv2dAlgorithm algo) {
    return nat.conv2d(spec, h, w, random(1, (int) spec.weightSize()), random(2, spec.outChannels()), algo);
  }

  @Test
  void forcedAlgorithmThatCannotRunIsIllegalArgument() {
    Conv2dSpec dense3x3 = Conv2dSpec.builder(8, 8, 3).padding(1).build();
    assertJavaRejects(() -> plan(dense3x3, 9, 9, Conv2dAlgorithm.GEMM_1X1), "GEMM_1X1", "1x1");
    assertJavaRejects(() -> plan(dense3x3, 9, 9, Conv2dAlgorithm.DEPTHWISE), "DEPTHWISE", "groups");
    Conv2dSpec strided1x1 = Conv2dSpec.builder(8, 8, 1).stride(2).build();
    assertJavaRejects(() -> plan(strided1x1, 9, 9, Conv2dAlgorithm.GEMM_1X1), "GEMM_1X1", "stride 1");
    Conv2dSpec strided3x3 = Conv2dSpec.builder(16, 8, 3).stride(2).build();
    assertJavaRejects(() -> plan(strided3x3, 9, 9, Conv2dAlgorithm.WINOGRAD), "WINOGRAD", "stride 1");
    assertJavaRejects(() -> plan(dense3x3, 9, 9, Conv2dAlgorithm.WINOGRAD), "WINOGRAD", "16 input channels");
    assertJavaRejects(() -> plan(strided3x3, 9, 9, Conv2dAlgorithm.WINOGRAD_2X2), "WINOGRAD_2X2", "stride 1");
    assertJavaRejects(() -> plan(dense3x3, 9, 9, Conv2dAlgorithm.WINOGRAD_2X2), "WINOGRAD_2X2", "16 input channels");
  }

  @Test
  void autoReportsTheAlgorithmItChose() {
    try (Conv2dPlan p = plan(Conv2dSpec.builder(8, 16, 3).padding(1).build(), 9, 9, Conv2dAlgorithm.AUTO)) {
      assertEquals(Conv2dAlgorithm.DIRECT, p.algorithm());
    }
    try (Conv2dPlan p = plan(Conv2dSpec.builder(8, 16, 1).build(), 10, 10, Conv2dAlgorithm.AUTO)) {
      assertEquals(Conv2dAlgorithm.GEMM_1X1, p.algorithm()); // channels expand: packed GEMM on the planes
    }
    try (Conv2dPlan p = plan(Conv2dSpec.builder(16, 8, 1).build(), 10, 10, Conv2dAlgorithm.AUTO)) {
      assertEquals(Conv2dAlgorithm.GEMM_1X1, p.algorithm()); // channels shrink: the same
    }
    try (Conv2dPlan p = plan(Conv2dSpec.builder(16, 8, 1).build(), 8, 12, Conv2dAlgorithm.AUTO)) {
      assertEquals(Conv2dAlgorithm.DIRECT, p.algorithm()); // <= 96 output pixels: packed input, channel lanes
    }
    try (Conv2dPlan p = plan(Conv2dSpec.builder(16, 8, 1).stride(2).build(), 17, 20, Conv2dAlgorithm.AUTO)) {
      assertEquals(Conv2dAlgorithm.DIRECT, p.algorithm()); // strided, onto 9x10: the same
    }
    try (Conv2dPlan p = plan(Conv2dSpec.builder(16, 8, 1).stride(2).build(), 21, 20, Conv2dAlgorithm.AUTO)) {
      assertEquals(Conv2dAlgorithm.IM2COL_GEMM, p.algorithm()); // strided onto 11x10: gathered panel
    }
    try (Conv2dPlan p = plan(Conv2dSpec.builder(3, 16, 3).stride(2).padding(1).build(), 9, 9,
        Conv2dAlgorithm.AUTO)) {
      assertEquals(Conv2dAlgorithm.IM2COL_GEMM, p.algorithm()); // RGB stem: reduction too short for DIRECT
    }
    try (Conv2dPlan p = plan(Conv2dSpec.builder(8, 16, 1).groups(8).build(), 9, 9, Conv2dAlgorithm.AUTO)) {
      assertEquals(Conv2dAlgorithm.DEPTHWISE, p.algorithm());
    }
    try (Conv2dPlan p = plan(Conv2dSpec.builder(8, 16, 3).groups(8).build(), 9, 9, Conv2dAlgorithm.AUTO)) {
      assertEquals(Conv2dAlgorithm.DEPTHWISE, p.algorithm());
    }
  }

  @Test
  void runningAClosedPlanIsIllegalState() {
    Conv2dPlan p = plan(Conv2dSpec.builder(3, 4, 3).build(), 5, 6, Conv2dAlgorithm.AUTO);
    float[] x = random(3, 3 * 5 * 6), y = new float[4 * 3 * 4];
    p.run(x, 0, y, 0, 1);
    p.close();
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> p.run(x, 0, y, 0, 1));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
    p.close(); // idempotent
    assertThrows(IllegalStateException.class, () -> p.run(x, 0, y, 0, 1, new float[y.length], 0));
  }

  /** Both threads hammer one plan at once; every result must equal the single-threaded one bit for bit. */
  @Test
  void concurrentRunsOfOnePlanGiveIdenticalResults() throws Exception {
    List<Conv2dPlan> plans = List.of(
        plan(Conv2dSpec.builder(16, 24, 3).padding(1, 2, 0, 1).paddingMode(PaddingMode.REFLECT)
            .activation(Activation.TANH).build(), 13, 11, Conv2dAlgorithm.DIRECT),
        plan(Conv2dSpec.builder(9, 17, 3).stride(2).padding(1).activation(Activation.SIGMOID).build(), 15, 13,
            Conv2dAlgorithm.IM2COL_GEMM),
        plan(Conv2dSpec.builder(16, 32, 5).groups(16).padding(2).paddingMode(PaddingMode.CIRCULAR).build(), 12,
            14, Conv2dAlgorithm.DEPTHWISE),
        plan(Conv2dSpec.builder(32, 16, 1).activation(Activation.RELU).build(), 10, 9, Conv2dAlgorithm.GEMM_1X1));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      for (Conv2dPlan p : plans) {
        int batch = 2;
        float[] x = random(4, batch * p.inputSize()), res = random(5, batch * p.outputSize());
        float[] expected = new float[batch * p.outputSize()];
        p.run(x, 0, expected, 0, batch, res, 0);
        CyclicBarrier start = new CyclicBarrier(2);
        List<Future<List<float[]>>> results = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          results.add(pool.submit(() -> {
            List<float[]> outs = new ArrayList<>();
            start.await();
            for (int i = 0; i < 40; i++) {
              float[] y = new float[expected.length];
              p.run(x, 0, y, 0, batch, res, 0);
              outs.add(y);
            }
            return outs;
          }));
        }
        for (Future<List<float[]>> f : results) {
          for (float[] y : f.get()) assertArrayEquals(expected, y, p.algorithm() + ": concurrent run differs");
        }
      }
    } finally {
      pool.shutdownNow();
      plans.forEach(Conv2dPlan::close);
    }
  }

  // ---- the native side re-validates everything itself ----

  // a valid block: in 4x9x7, out 6, kernel 3x2, stride 2x1, pads 1 0 2 1, dilation 1x2, groups 2, zeros, relu
  private static int[] params() {
    return new int[] {4, 9, 7, 6, 3, 2, 2, 1, 1, 0, 2, 1, 1, 2, 2, 0, 1, 0, 0};
  }

  private static final int WEIGHTS = 6 * 2 * 3 * 2;

  private static long create(int[] p, float[] w, float[] b, int algo) {
    return NativeLib.c4j_conv2d_create(p, p.length, w, w == null ? 0 : w.length, b, b == null ? 0 : b.length,
        0f, 0f, algo);
  }

  private static void assertRefused(String expectedInMessage, Consumer<int[]> edit) {
    int[] p = params();
    edit.accept(p);
    assertNativeCreateFails(create(p, new float[WEIGHTS], new float[6], 0), expectedInMessage);
  }

  @Test
  void nativeCreateRefusesEveryBadParameter() {
    long ok = create(params(), new float[WEIGHTS], new float[6], 0);
    assertTrue(ok != 0, NativeLib.c4j_last_error());
    NativeLib.c4j_plan_destroy(ok);

    int[] names = {0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14};
    String[] text = {"in_channels", "in_height", "in_width", "out_channels", "kernel_h", "kernel_w", "stride_h",
        "stride_w", "dilation_h", "dilation_w", "groups"};
    for (int i = 0; i < names.length; i++) {
      int idx = names[i];
      assertRefused(text[i] + " must be >= 1, got 0", p -> p[idx] = 0);
    }
    assertRefused("pad_left must be >= 0, got -1", p -> p[9] = -1);
    assertRefused("in_channels must be divisible by groups", p -> p[0] = 5);
    assertRefused("out_channels must be divisible by groups", p -> p[3] = 7);
    assertRefused("padding_mode must be one of", p -> p[15] = 4);
    assertRefused("activation must be one of", p -> p[16] = 6);
    assertRefused("output_padding_h must be 0", p -> p[17] = 1);
    assertRefused("reflect padding: pad_bottom must be < the input height 2", p -> {
      p[15] = 1;
      p[1] = 2;
      p[10] = 2;
      p[8] = 0;
      p[4] = 1;
    });
    assertRefused("circular padding: pad_right must be <= the input width 7", p -> {
      p[15] = 3;
      p[11] = 8;
    });
    assertRefused("output width must be >= 1", p -> p[13] = 9); // dilated kernel 10 > 7 + 0 + 1
    assertRefused("output height must be >= 1", p -> {
      p[1] = 1;
      p[8] = 0;
      p[10] = 0;
    });

    int[] p = params();
    assertNativeCreateFails(NativeLib.c4j_conv2d_create(p, 18, new float[WEIGHTS], WEIGHTS, null, 0, 0, 0, 0),
        "nparams must be 19");
    assertNativeCreateFails(create(p, new float[WEIGHTS - 1], null, 0), "weight_len must be");
    assertNativeCreateFails(create(p, null, null, 0), "weight is null");
    assertNativeCreateFails(create(p, new float[WEIGHTS], new float[5], 0), "bias_len must be out_channels");
    assertNativeCreateFails(NativeLib.c4j_conv2d_create(p, p.length, new float[WEIGHTS], WEIGHTS, null, 6, 0, 0, 0),
        "bias_len must be 0");
    assertNativeCreateFails(create(p, new float[WEIGHTS], null, 7), "algo must be one of");
    assertNativeCreateFails(create(p, new float[WEIGHTS], null, -1), "algo must be one of");
    p[16] = 3; // clamp with min > max
    assertNativeCreateFails(NativeLib.c4j_conv2d_create(p, p.length, new float[WEIGHTS], WEIGHTS, null, 0, 1f, 0f, 0),
        "clamp needs");
    assertNativeCreateFails(create(params(), new float[WEIGHTS], null, 3), "GEMM_1X1");
    assertEquals(NativeLib.ERR_HANDLE, NativeLib.c4j_conv2d_algo(0));
  }

  @Test
  void nativeRunChecksSpansAgainstItsOwnPlan() {
    long h = create(params(), random(6, WEIGHTS), random(7, 6), 0);
    assertTrue(h != 0, NativeLib.c4j_last_error());
    try {
      // output 5 x 6: height (9 + 1 + 2 - (3 - 1) - 1) / 2 + 1, width (7 + 0 + 1 - 2 * (2 - 1) - 1) / 1 + 1
      int in = 4 * 9 * 7, out = 6 * 5 * 6;
      float[] x = random(8, 2 * in), y = new float[2 * out], r = random(9, 2 * out);
      assertEquals(NativeLib.OK, NativeLib.c4j_conv2d_run(h, 2, x, x.length, 0, y, y.length, 0, r, r.length, 0),
          NativeLib.c4j_last_error());
      assertEquals(NativeLib.OK, NativeLib.c4j_conv2d_run(h, 1, x, x.length, in, y, y.length, out, null, 0, 0));
      assertNativeArgError(NativeLib.c4j_conv2d_run(h, 2, x, x.length - 1, 0, y, y.length, 0, null, 0, 0), "x: need");
      assertNativeArgError(NativeLib.c4j_conv2d_run(h, 1, x, x.length, in + 1, y, y.length, 0, null, 0, 0), "x: need");
      assertNativeArgError(NativeLib.c4j_conv2d_run(h, 1, x, x.length, -1, y, y.length, 0, null, 0, 0), "x: need");
      assertNativeArgError(NativeLib.c4j_conv2d_run(h, 2, x, x.length, 0, y, y.length, 1, null, 0, 0), "y: need");
      assertNativeArgError(NativeLib.c4j_conv2d_run(h, 2, x, x.length, 0, y, y.length, 0, r, r.length, 1),
          "residual: need");
      assertNativeArgError(NativeLib.c4j_conv2d_run(h, 2, x, x.length, 0, y, y.length, 0, null, 3, 0),
          "r_len must be 0");
      assertNativeArgError(NativeLib.c4j_conv2d_run(h, 0, x, x.length, 0, y, y.length, 0, null, 0, 0),
          "batch must be >= 1");
      assertNativeArgError(NativeLib.c4j_conv2d_run(h, 1, x, x.length, 0, null, 0, 0, null, 0, 0), "y: need");
      float[] both = new float[in + out];
      assertNativeArgError(NativeLib.c4j_conv2d_run(h, 1, both, both.length, 0, both, both.length, in - 1, null, 0, 0),
          "x and y overlap");
      assertNativeArgError(NativeLib.c4j_conv2d_run(h, 1, x, x.length, 0, both, both.length, 0, both, both.length, 1),
          "residual overlaps y");
      assertEquals(NativeLib.OK,
          NativeLib.c4j_conv2d_run(h, 1, both, both.length, 0, both, both.length, in, null, 0, 0)); // disjoint
      assertEquals(NativeLib.ERR_HANDLE, NativeLib.c4j_conv2d_run(0, 1, x, x.length, 0, y, y.length, 0, null, 0, 0));
    } finally {
      NativeLib.c4j_plan_destroy(h);
    }
  }

}
