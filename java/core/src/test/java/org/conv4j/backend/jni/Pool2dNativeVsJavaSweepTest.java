package org.conv4j.backend.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.conv4j.backend.Plan;
import org.conv4j.spec.Pool2dGeometry;
import org.conv4j.spec.Pool2dSpec;
import org.junit.jupiter.api.Test;

/**
 * The native pool2d against the Java reference over a seeded randomized sweep: max (dilation, ceil_mode, padding,
 * NaN inputs, all-negative inputs where a zero from the padding would win), avg (ceil_mode, count_include_pad,
 * padding), adaptive avg (shrinking and growing, non-divisible sizes), global max and global avg; odd sizes,
 * strides 1-4 (each of the native column paths), channels from {1,3,7,8,9,15,16,17,32}, batch 1-3, offsets into
 * NaN-filled arrays with guard cells, one or two threads.
 *
 * <p>Max is compared exactly (a max involves no rounding; NaN where Java has NaN). Avg tolerance, per output:
 * 2*n*u*max|x| + 2u*|y| with u = 2^-24 and n the number of inputs in the largest window. Both backends sum the same
 * n values in float in different orders; each sum is within (n-1)*u*sum|x_i| <= (n-1)*u*n*max|x| of exact, and
 * the divisor (>= the inputs counted) scales that down by at least n; the final division rounds once on each
 * side (u*|y| each). This is a bound, not an estimate; a wrong window or divisor is off by about max|x| / n.
 */
class Pool2dNativeVsJavaSweepTest extends NativeOpsTestBase {
  private static final int CONFIGS = 300;
  private static final int[] CHANNELS = {1, 3, 7, 8, 9, 15, 16, 17, 32};
  private static final double U = 0x1p-24;
  /** A configuration; label names the spec kind (GLOBAL_AVG is adaptive 1x1). */
  private record Case(Pool2dSpec spec, String label, int channels, int h, int w, int batch, int offset, int threads,
      boolean nans, boolean negative) {}

  @Test
  void nativeMatchesJavaReferenceOnRandomizedSweep() {
    SplittableRandom r = new SplittableRandom(0x9001L);
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < CONFIGS; i++) {
      Case c = randomCase(r);
      Pool2dSpec s = c.spec;
      Pool2dGeometry g = s.geometry(c.h, c.w);
      count(seen, c.label);
      count(seen, "batch " + c.batch);
      count(seen, "threads " + c.threads);
      if (s.kind() == Pool2dSpec.Kind.MAX || s.kind() == Pool2dSpec.Kind.AVG) {
        count(seen, c.label + " ceil " + s.ceilMode());
        count(seen, "stride " + s.strideW());
        if (s.padTop() + s.padLeft() + s.padBottom() + s.padRight() > 0) count(seen, c.label + " padded");
        if (s.kind() == Pool2dSpec.Kind.MAX && Math.max(s.dilationH(), s.dilationW()) > 1) count(seen, "dilated");
        if (s.kind() == Pool2dSpec.Kind.AVG) count(seen, "count_include_pad " + s.countIncludePad());
        if (g.outW() >= 8) count(seen, "vector columns stride " + Math.min(3, s.strideW()));
      }
      if (s.kind() == Pool2dSpec.Kind.ADAPTIVE_AVG && (g.outH() > c.h || g.outW() > c.w)) count(seen, "upsampling");
      if (c.nans) count(seen, "NaN inputs");
      if (c.negative) count(seen, "negative inputs");
      runCase(c, i);
    }
    assertCovered(seen, "MAX", "AVG", "ADAPTIVE_AVG", "GLOBAL_MAX", "GLOBAL_AVG", "MAX ceil true", "MAX ceil false",
        "AVG ceil true", "AVG ceil false", "MAX padded", "AVG padded", "dilated", "count_include_pad true",
        "count_include_pad false", "stride 1", "stride 2", "stride 3", "stride 4", "vector columns stride 1",
        "vector columns stride 2", "vector columns stride 3", "upsampling", "NaN inputs", "negative inputs",
        "batch 1", "batch 2", "batch 3", "threads 1", "threads 2");
  }

  /**
   * 2x2 windows at stride 2 without padding (VGG / DenseNet), which native reduces in one pass when every window is
   * whole: max and avg, sizes 2-20 (odd sizes: the last row / column is dropped, or in ceil mode kept as a clipped
   * window, which takes the general path), output widths around the 8-wide vectors, NaN and all-negative inputs.
   */
  @Test
  void twoByTwoStrideTwoMatchesJava() {
    SplittableRandom r = new SplittableRandom(0x2222L);
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < 120; i++) {
      boolean max = r.nextBoolean(), ceil = r.nextInt(3) == 0;
      int h = 2 + r.nextInt(19), w = 2 + r.nextInt(19);
      Pool2dSpec spec = (max ? Pool2dSpec.max(2) : Pool2dSpec.avg(2)).ceilMode(ceil)
          .countIncludePad(r.nextBoolean()).build();
      Case c = new Case(spec, max ? "MAX" : "AVG", CHANNELS[r.nextInt(CHANNELS.length)], h, w, 1 + r.nextInt(3),
          r.nextBoolean() ? 0 : 1 + r.nextInt(7), 1 + r.nextInt(2), max && r.nextInt(3) == 0,
          max && r.nextInt(3) == 0);
      Pool2dGeometry g = spec.geometry(h, w);
      boolean whole = 2 * g.outH() <= h && 2 * g.outW() <= w;
      count(seen, c.label + (whole ? " whole windows" : " clipped windows"));
      if (g.outW() >= 8) count(seen, "vector columns");
      if (g.outW() % 8 != 0) count(seen, "column tail");
      if (c.batch > 1) count(seen, "batch > 1");
      if (c.nans) count(seen, "NaN inputs");
      runCase(c, 10_000 + i);
    }
    assertCovered(seen, "MAX whole windows", "AVG whole windows", "MAX clipped windows", "AVG clipped windows",
        "vector columns", "column tail", "batch > 1", "NaN inputs");
  }

  /**
   * Avg windows the size of the input (nn.AvgPool2d(7) on a 7x7 map), which native sums as a global average when
   * the window is unpadded: sizes 1-12 and 7x7, non-square, any stride, ceil mode and count_include_pad either way;
   * and the same kernels with padding, where the one output window is clipped and takes the general path.
   */
  @Test
  void wholePlaneAvgWindowsMatchJava() {
    SplittableRandom r = new SplittableRandom(0x7777L);
    Map<String, Integer> seen = new TreeMap<>();
    for (int i = 0; i < 80; i++) {
      int h = i % 4 == 0 ? 7 : 1 + r.nextInt(12), w = i % 4 == 0 ? 7 : 1 + r.nextInt(12);
      boolean padded = r.nextInt(4) == 0 && h >= 2 && w >= 2;
      Pool2dSpec.Builder b = Pool2dSpec.avg(h, w).stride(1 + r.nextInt(3), 1 + r.nextInt(3));
      if (padded) b.padding(r.nextInt(h / 2 + 1), 1, r.nextInt(h / 2 + 1), r.nextInt(w / 2 + 1));
      Pool2dSpec spec = b.ceilMode(r.nextBoolean()).countIncludePad(r.nextBoolean()).build();
      Pool2dGeometry g = spec.geometry(h, w);
      Case c = new Case(spec, "AVG", CHANNELS[r.nextInt(CHANNELS.length)], h, w, 1 + r.nextInt(3),
          r.nextBoolean() ? 0 : 1 + r.nextInt(7), 1 + r.nextInt(2), false, false);
      count(seen, padded ? "padded" : g.outH() == 1 && g.outW() == 1 ? "whole plane" : "other");
      if (h != w) count(seen, "non-square");
      if (c.batch > 1) count(seen, "batch > 1");
      if (c.threads > 1) count(seen, "threads 2");
      runCase(c, 20_000 + i);
    }
    assertEquals(null, seen.get("other"), "an unpadded window the size of the input has one output");
    assertCovered(seen, "whole plane", "padded", "non-square", "batch > 1", "threads 2");
  }

  private static Case randomCase(SplittableRandom r) {
    for (;;) {
      int kind = r.nextInt(10);
      int h = 1 + r.nextInt(29), w = 1 + r.nextInt(41);
      int kh = 1 + r.nextInt(5), kw = 1 + r.nextInt(5);
      Pool2dSpec spec;
      String label;
      if (kind <= 5) {
        boolean max = kind <= 2;
        Pool2dSpec.Builder b = max ? Pool2dSpec.max(kh, kw) : Pool2dSpec.avg(kh, kw);
        if (r.nextInt(4) > 0) b.stride(1 + r.nextInt(4), 1 + r.nextInt(4)); // else stride = kernel
        if (r.nextBoolean()) {
          b.padding(r.nextInt(kh / 2 + 1), r.nextInt(kw / 2 + 1), r.nextInt(kh / 2 + 1), r.nextInt(kw / 2 + 1));
        }
        if (max) b.dilation(1 + r.nextInt(3), 1 + r.nextInt(3));
        spec = b.ceilMode(r.nextBoolean()).countIncludePad(r.nextBoolean()).build();
        label = max ? "MAX" : "AVG";
      } else if (kind <= 7) {
        spec = Pool2dSpec.adaptiveAvg(1 + r.nextInt(h + 2), 1 + r.nextInt(w + 3));
        label = "ADAPTIVE_AVG";
      } else if (kind == 8) {
        spec = Pool2dSpec.globalMax();
        label = "GLOBAL_MAX";
      } else {
        spec = Pool2dSpec.globalAvg();
        label = "GLOBAL_AVG";
      }
      try {
        spec.geometry(h, w);
      } catch (IllegalArgumentException e) {
        continue; // the window does not fit
      }
      boolean isMax = label.endsWith("MAX");
      return new Case(spec, label, CHANNELS[r.nextInt(CHANNELS.length)], h, w, 1 + r.nextInt(3),
          r.nextBoolean() ? 0 : 1 + r.nextInt(7), 1 + r.nextInt(2), isMax && r.nextInt(4) == 0,
          isMax && r.nextInt(3) == 0);
    }
  }

  private void runCase(Case c, int index) {
    SplittableRandom r = new SplittableRandom(index * 1_000_003L + 5);
    float[] x = random(r, c.batch * c.channels * c.h * c.w, 1f);
    if (c.negative) for (int i = 0; i < x.length; i++) x[i] = -1.5f - Math.abs(x[i]); // padding must not win
    if (c.nans) for (int i = 0; i < x.length; i++) if (r.nextInt(40) == 0) x[i] = Float.NaN;
    JAVA.setThreads(1);
    float[] expected;
    try (Plan ref = JAVA.pool2d(c.spec, c.channels, c.h, c.w)) {
      expected = new float[c.batch * ref.outputSize()];
      ref.run(x, 0, expected, 0, c.batch);
    }
    nat.setThreads(c.threads);
    String what = "config " + index + " " + c.spec + " on " + c.batch + "x" + c.channels + "x" + c.h + "x" + c.w
        + ", offset " + c.offset + ", threads " + c.threads;
    float[] got;
    try (Plan plan = nat.pool2d(c.spec, c.channels, c.h, c.w)) {
      got = runGuarded(plan, x, c.batch, c.offset, what);
    }
    double[] tol = new double[expected.length];
    if (!c.label.endsWith("MAX")) {
      int n = largestWindow(c.spec.geometry(c.h, c.w));
      for (int i = 0; i < tol.length; i++) tol[i] = 2 * n * U * 1.0 + 2 * U * Math.abs(expected[i]); // max|x| = 1
    }
    assertClose(expected, got, tol, what);
  }

  /** The most inputs any output of an avg / adaptive avg pooling averages. */
  private static int largestWindow(Pool2dGeometry g) {
    if (g.kind() == Pool2dSpec.Kind.AVG) return g.kernelH() * g.kernelW();
    return (g.inH() / g.outH() + 2) * (g.inW() / g.outW() + 2); // adaptive: ceil - floor <= in/out + 2
  }

  @Test
  void wrongSpansAreRejectedInJavaBeforeNative() {
    try (Plan plan = nat.pool2d(Pool2dSpec.max(3).stride(2).padding(1).build(), 4, 9, 10)) {
      int in = plan.inputSize(), out = plan.outputSize();
      assertEquals(4 * 5 * 5, out);
      float[] y = new float[3 * out];
      assertJavaRejects(() -> plan.run(new float[3 * in - 1], 0, y, 0, 3), "input", String.valueOf(3 * in));
      assertJavaRejects(() -> plan.run(new float[3 * in], 2, y, 0, 3), "input", "offset 2");
      assertJavaRejects(() -> plan.run(new float[3 * in], 0, new float[3 * out - 1], 0, 3), "output");
      assertJavaRejects(() -> plan.run(new float[3 * in], 0, y, 0, -1), "batch", "-1");
      assertJavaRejects(() -> plan.run(null, 0, y, 0, 1), "input", "null");
      float[] both = new float[in + out];
      assertJavaRejects(() -> plan.run(both, out - 1, both, 0, 1), "overlaps"); // [out-1, ...) vs [0, out)
      for (float v : y) assertEquals(0f, v, "a rejected run wrote the output");
    }
  }

  /** A valid MAX parameter block: 2 channels, 5x6 input, kernel 2x3, stride 2x2, pads 1, dilation 1. */
  private static int[] okParams() {
    // out: (5 + 2 - 1*(2-1) - 1)/2 + 1 = 3 and (6 + 2 - 1*(3-1) - 1)/2 + 1 = 3
    int[] p = {0, 2, 5, 6, 2, 3, 2, 2, 1, 1, 1, 1, 1, 1, 0, 1, 3, 3};
    assertEquals(NativeLib.PP_COUNT, p.length);
    return p;
  }

  @Test
  void nativeCreateAndRunRecheckEverything() {
    int[] ok = okParams();
    long h = NativeLib.c4j_pool2d_create(ok, ok.length);
    assertTrue(h != 0, NativeLib.c4j_last_error());
    try {
      int nx = 2 * 5 * 6, ny = 2 * 3 * 3;
      float[] x = new float[nx], y = new float[ny];
      assertEquals(NativeLib.OK, NativeLib.c4j_pool2d_run(h, 1, x, nx, 0, y, ny, 0), NativeLib.c4j_last_error());
      assertNativeArgError(NativeLib.c4j_pool2d_run(h, 1, x, nx - 1, 0, y, ny, 0), "x", String.valueOf(nx));
      assertNativeArgError(NativeLib.c4j_pool2d_run(h, 1, x, nx, 0, y, ny, 1), "y", "offset 1");
      assertNativeArgError(NativeLib.c4j_pool2d_run(h, 3, x, nx, 0, y, ny, 0), "x", String.valueOf(3 * nx));
      assertNativeArgError(NativeLib.c4j_pool2d_run(h, 1, x, nx, -1, y, ny, 0), "x", "offset -1");
      assertNativeArgError(NativeLib.c4j_pool2d_run(h, 1, x, nx, 0, null, ny, 0), "y");
      float[] both = new float[nx + ny];
      assertNativeArgError(NativeLib.c4j_pool2d_run(h, 1, both, both.length, 0, both, both.length, 2), "overlap");
      assertEquals(NativeLib.ERR_HANDLE, NativeLib.c4j_linear_run(h, 1, x, nx, 0, y, ny, 0), "pool plan as linear");
    } finally {
      NativeLib.c4j_plan_destroy(h);
    }
    assertNativeCreateFails(createWith(ok, 16, 4), "out_height must be 3", "got 4");
    assertNativeCreateFails(createWith(ok, 17, 2), "out_width must be 3", "got 2");
    assertNativeCreateFails(createWith(ok, 0, 3), "kind", "got 3");
    assertNativeCreateFails(createWith(ok, 1, 0), "channels must be >= 1");
    assertNativeCreateFails(createWith(ok, 4, 0), "kernel_h must be >= 1");
    assertNativeCreateFails(createWith(ok, 6, 0), "stride_h must be >= 1");
    assertNativeCreateFails(createWith(ok, 13, 0), "dilation_w must be >= 1");
    assertNativeCreateFails(createWith(ok, 8, 2), "pad_top must be at most half of kernel_h", "pad_top=2");
    assertNativeCreateFails(createWith(ok, 11, -1), "pad_right must be >= 0");
    assertNativeCreateFails(createWith(ok, 14, 2), "ceil_mode must be 0 or 1");
    assertNativeCreateFails(createWith(ok, 15, 7), "count_include_pad must be 0 or 1");
    int[] avg = with(ok, 0, 1);
    avg[12] = 2;
    assertNativeCreateFails(NativeLib.c4j_pool2d_create(avg, avg.length), "avg pooling has no dilation");
    // ceil_mode: 5 wide, kernel 2, stride 2, pad 1 gives ceil((5+2-1-1)/2)+1 = 4 windows, but the 4th would start at
    // 6 >= 5 + 1 (inside the right padding), so PyTorch drops it: 3
    int[] ceil = ok.clone();
    ceil[14] = 1;
    ceil[3] = 5; ceil[5] = 2; ceil[17] = 4;
    assertNativeCreateFails(NativeLib.c4j_pool2d_create(ceil, ceil.length), "out_width must be 3", "got 4");
    ceil[17] = 3;
    long hc = NativeLib.c4j_pool2d_create(ceil, ceil.length);
    assertTrue(hc != 0, NativeLib.c4j_last_error());
    NativeLib.c4j_plan_destroy(hc);
    int[] tooSmall = with(ok, 12, 9); // dilated kernel 9*(2-1)+1 = 10 > 5 + 2
    assertNativeCreateFails(NativeLib.c4j_pool2d_create(tooSmall, tooSmall.length), "out_height would be");
    int[] adaptive = with(ok, 0, 2);
    adaptive[16] = 0;
    assertNativeCreateFails(NativeLib.c4j_pool2d_create(adaptive, adaptive.length), "out_height must be >= 1");
    assertNativeCreateFails(NativeLib.c4j_pool2d_create(ok, ok.length - 1), "nparams");
    assertNativeCreateFails(NativeLib.c4j_pool2d_create(null, ok.length), "params is null");
  }

  private static int[] with(int[] p, int i, int v) {
    int[] q = p.clone();
    q[i] = v;
    return q;
  }

  private static long createWith(int[] p, int i, int v) {
    int[] q = with(p, i, v);
    return NativeLib.c4j_pool2d_create(q, q.length);
  }
}
