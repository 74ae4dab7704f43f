package org.conv4j.backend.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.conv4j.spec.Activation;
import org.junit.jupiter.api.Test;

/**
 * Native activation, softmax / log_softmax and add against the Java reference: lengths around the vector width and
 * above the threshold where native work is split over threads, offsets into NaN-filled arrays with guard cells, in
 * place, and extreme inputs (signed zeros, denormals, the ranges where exp saturates, +-inf, NaN).
 */
class ElementwiseNativeVsJavaTest extends NativeOpsTestBase {
  private static final Activation[] ACTS = {Activation.NONE, Activation.RELU, Activation.leakyRelu(0.01f),
      Activation.leakyRelu(-1.5f), Activation.RELU6, Activation.clamp(-0.5f, 0.7f), Activation.SIGMOID,
      Activation.TANH};
  private static final float[] EXTREMES = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-40f, -1e-40f,
      Float.MIN_NORMAL, 1e-8f, -1e-8f, 0.3f, -0.3f, 0.6249f, 0.625f, -0.6251f, 1f, -1f, 5f, -5f, 9f, -9f, 15f, -15f,
      20f, -20f, 44f, -44f, 87f, -87f, 87.4f, -87.4f, 88.5f, -88.5f, 89f, -89f, 100f, -100f, 104f, -104f, 1e30f,
      -1e30f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 6f, 6.0001f,
      0.7f, -0.5f, Float.NaN, -Float.NaN};
  private static final int[] COUNTS = {0, 1, 7, 8, 9, 15, 16, 17, 31, 100, 70_001};
  private static final double U = 0x1p-24;
  /** Random values of several magnitudes, every extreme included (repeated at different vector lanes). */
  private static float[] inputs(SplittableRandom r, int n) {
    float[] x = random(r, n, 1f);
    for (int i = 0; i < n; i++) {
      int pick = r.nextInt(4);
      if (pick == 0) x[i] *= 30f;
      else if (pick == 1) x[i] = EXTREMES[r.nextInt(EXTREMES.length)];
    }
    for (int i = 0; i < Math.min(n, EXTREMES.length); i++) x[(i * 7) % n] = EXTREMES[i];
    return x;
  }

  /**
   * Activations: piecewise-linear ones exactly (the same float compare / multiply / min / max; +0 and -0 count
   * as equal). sigmoid and tanh: relative 4e-7 (native vector exp-based forms are within 2.5e-7, plus the Java
   * reference's own float rounding of its double result, 6e-8) plus Float.MIN_NORMAL, because native exp returns 0
   * where the true result is denormal (sigmoid below -87.3). NaN inputs must give NaN, as PyTorch, for every
   * activation, in both backends: the test asserts it of the Java reference too.
   */
  @Test
  void activationsMatchJavaIncludingExtremeInputs() {
    SplittableRandom r = new SplittableRandom(0xAC7L);
    for (Activation act : ACTS) {
      for (int n : COUNTS) {
        for (int threads = 1; threads <= 2; threads++) {
          nat.setThreads(threads);
          float[] x = inputs(r, n);
          float[] expected = new float[n];
          JAVA.activation(act, x, 0, expected, 0, n);
          boolean smooth = act.kind() == Activation.Kind.SIGMOID || act.kind() == Activation.Kind.TANH;
          double[] tol = new double[n];
          for (int i = 0; i < n; i++) {
            tol[i] = smooth ? 4e-7 * Math.abs(expected[i]) + Float.MIN_NORMAL : 0;
            if (Float.isNaN(x[i])) {
              assertTrue(Float.isNaN(expected[i]), act + ": Java reference must keep NaN, as PyTorch");
            }
          }
          int off = r.nextInt(4);
          String what = act + ", count " + n + ", offset " + off + ", threads " + threads;
          float[] ys = guarded(off + 1, n, 3);
          nat.activation(act, embed(x, off, 2, Float.NaN), off, ys, off + 1, n);
          assertClose(expected, span(ys, off + 1, n, what), tol, what);
          float[] inPlace = embed(x, off, 2, -777f); // in place: y is x's own span
          nat.activation(act, inPlace, off, inPlace, off, n);
          assertClose(expected, span(inPlace, off, n, what + ", in place"), tol, what + ", in place");
        }
      }
    }
  }

  @Test
  void addMatchesJavaExactlyWithOffsetsAndInPlace() {
    SplittableRandom r = new SplittableRandom(0xADDL);
    for (int n : COUNTS) {
      for (int threads = 1; threads <= 2; threads++) {
        nat.setThreads(threads);
        float[] a = inputs(r, n), b = inputs(r, n);
        float[] expected = new float[n];
        JAVA.add(a, 0, b, 0, expected, 0, n);
        double[] exact = new double[n];
        int ao = r.nextInt(5), bo = r.nextInt(5), yo = r.nextInt(5);
        String what = "add count " + n + ", threads " + threads;
        float[] ys = guarded(yo, n, 2);
        nat.add(embed(a, ao, 1, Float.NaN), ao, embed(b, bo, 3, Float.NaN), bo, ys, yo, n);
        assertClose(expected, span(ys, yo, n, what), exact, what);
        float[] ya = embed(a, ao, 2, -777f);
        nat.add(ya, ao, b, 0, ya, ao, n); // y = a's span
        assertClose(expected, span(ya, ao, n, what + ", y = a"), exact, what + ", y = a");
        float[] yb = embed(b, bo, 2, -777f);
        nat.add(a, 0, yb, bo, yb, bo, n); // y = b's span
        assertClose(expected, span(yb, bo, n, what + ", y = b"), exact, what + ", y = b");
      }
    }
  }

  /** [outer, dim, inner]: rows (inner 1) short and long, lanes (inner > 1) full and partial, large (threaded). */
  private static final int[][] SOFTMAX_SHAPES = {{1, 1, 1}, {1, 10, 1}, {3, 7, 1}, {2, 8, 1}, {5, 9, 1},
      {3, 1000, 1}, {2, 7, 5}, {4, 3, 17}, {1, 13, 64}, {5, 9, 8}, {2, 33, 9}, {3, 1, 4}, {70, 1000, 1},
      {2, 16, 3000}, {1, 5, 13_109}};

  /**
   * softmax: |native - java| <= (dim + 8) * 2u * |y| + MIN_NORMAL. The sum of dim positive terms is within
   * (dim-1)*u relative of exact (worst case, any order), each exp within 2 ulp, and the scaling by 1/sum rounds
   * twice; the Java reference (double) is exact to its final rounding. Results under MIN_NORMAL may be 0 natively
   * (exp flushes denormals). log_softmax = (x - max) - log(sum): |error| <= 2u * (|x - max| + |log sum| + |y|) from
   * the roundings of the subtraction and the log, plus (dim + 4) * 2u for log's argument being off by that
   * relative amount. NaN where Java has NaN (a NaN or +inf in the slice, or a slice of only -inf).
   */
  @Test
  void softmaxAndLogSoftmaxMatchJava() {
    SplittableRandom r = new SplittableRandom(0x50F7L);
    for (int[] shape : SOFTMAX_SHAPES) {
      int outer = shape[0], dim = shape[1], inner = shape[2], n = outer * dim * inner;
      for (int variant = 0; variant < 4; variant++) {
        float[] x = random(r, n, variant == 0 ? 1f : variant == 1 ? 30f : 100f);
        if (variant == 3) specialSlices(x, dim, inner, r);
        for (boolean log : new boolean[] {false, true}) {
          nat.setThreads(1 + r.nextInt(2));
          float[] expected = new float[n];
          JAVA.softmax(x, 0, expected, 0, outer, dim, inner, log);
          double[] tol = softmaxTolerance(x, expected, outer, dim, inner, log);
          int xo = r.nextInt(4), yo = r.nextInt(4);
          String what = (log ? "log_softmax " : "softmax ") + Arrays.toString(shape) + " variant " + variant;
          float[] ys = guarded(yo, n, 3);
          nat.softmax(embed(x, xo, 2, Float.NaN), xo, ys, yo, outer, dim, inner, log);
          assertClose(expected, span(ys, yo, n, what), tol, what);
          float[] inPlace = embed(x, xo, 2, -777f);
          nat.softmax(inPlace, xo, inPlace, xo, outer, dim, inner, log);
          assertClose(expected, span(inPlace, xo, n, what + ", in place"), tol, what + ", in place");
          if (variant == 0 && !log) assertSumsToOne(expected, outer, dim, inner, what);
        }
      }
    }
  }

  /** Puts -inf entries, an all -inf slice, a +inf, a NaN and huge magnitudes into some slices of x. */
  private static void specialSlices(float[] x, int dim, int inner, SplittableRandom r) {
    int slices = x.length / dim;
    for (int s = 0; s < slices; s++) {
      int base = (s / inner) * dim * inner + s % inner;
      int kind = s % 6;
      for (int d = 0; d < dim; d++) {
        int i = base + d * inner;
        if (kind == 0 && d % 3 == 1) x[i] = Float.NEGATIVE_INFINITY;
        if (kind == 1) x[i] = Float.NEGATIVE_INFINITY;
        if (kind == 2 && d == dim / 2) x[i] = Float.POSITIVE_INFINITY;
        if (kind == 3 && d == dim - 1) x[i] = Float.NaN;
        if (kind == 4) x[i] = (r.nextBoolean() ? 1e30f : -1e30f) * (1 + x[i] / 1000);
      }
    }
  }

  private static double[] softmaxTolerance(float[] x, float[] y, int outer, int dim, int inner, boolean log) {
    double[] tol = new double[x.length];
    for (int o = 0; o < outer; o++) {
      for (int in = 0; in < inner; in++) {
        int b = o * dim * inner + in;
        double max = Double.NEGATIVE_INFINITY, sum = 0;
        for (int d = 0; d < dim; d++) max = Math.max(max, x[b + d * inner]);
        for (int d = 0; d < dim; d++) sum += Math.exp(x[b + d * inner] - max);
        for (int d = 0; d < dim; d++) {
          int i = b + d * inner;
          tol[i] = log
              ? 2 * U * (Math.abs(x[i] - max) + Math.abs(Math.log(sum)) + Math.abs(y[i])) + (dim + 4) * 2 * U
              : (dim + 8) * 2 * U * Math.abs(y[i]) + Float.MIN_NORMAL;
        }
      }
    }
    return tol;
  }

  private static void assertSumsToOne(float[] y, int outer, int dim, int inner, String what) {
    for (int o = 0; o < outer; o++) {
      for (int in = 0; in < inner; in++) {
        double s = 0;
        for (int d = 0; d < dim; d++) s += y[o * dim * inner + d * inner + in];
        assertEquals(1.0, s, (dim + 8) * 2 * U, what + ": slice sum");
      }
    }
  }

  @Test
  void wrongSpansAndOverlapsAreRejectedInJavaBeforeNative() {
    float[] x = new float[10], y = new float[10];
    assertJavaRejects(() -> nat.activation(Activation.RELU, x, 0, y, 0, 11), "x", "11");
    assertJavaRejects(() -> nat.activation(Activation.RELU, x, 1, y, 0, 10), "x", "offset 1");
    assertJavaRejects(() -> nat.activation(Activation.RELU, x, 0, y, -1, 3), "y", "offset -1");
    assertJavaRejects(() -> nat.activation(Activation.RELU, x, 0, y, 0, -1), "x", "-1");
    assertJavaRejects(() -> nat.activation(Activation.RELU, x, 0, null, 0, 1), "y", "null");
    assertJavaRejects(() -> nat.activation(Activation.RELU, x, 0, x, 1, 5), "overlaps", "same span");
    assertJavaRejects(() -> nat.softmax(x, 0, y, 0, 2, 3, 2, false), "x", "12");
    assertJavaRejects(() -> nat.softmax(x, 0, y, 0, 0, 3, 2, true), "outer", "0");
    assertJavaRejects(() -> nat.softmax(x, 0, y, 0, 1, 0, 2, true), "dim", "0");
    assertJavaRejects(() -> nat.softmax(x, 0, y, 0, 1, 3, -2, true), "inner", "-2");
    assertJavaRejects(() -> nat.softmax(x, 0, y, 5, 1, 3, 2, false), "y", "offset 5");
    assertJavaRejects(() -> nat.softmax(x, 2, x, 0, 1, 3, 2, false), "overlaps");
    assertJavaRejects(() -> nat.add(x, 0, y, 0, y, 0, 11), "a", "11");
    assertJavaRejects(() -> nat.add(x, 0, y, 3, y, 0, 8), "b", "offset 3");
    assertJavaRejects(() -> nat.add(x, 0, y, 0, new float[4], 0, 5), "y", "5");
    assertJavaRejects(() -> nat.add(x, 0, y, 0, x, 2, 8), "overlaps");
    assertJavaRejects(() -> nat.add(x, 0, y, 2, y, 0, 8), "overlaps");
    for (float v : y) assertEquals(0f, v, "a rejected call wrote y");
  }

  @Test
  void nativeEntryPointsRecheckEverything() {
    float[] x = new float[10], y = new float[10];
    assertEquals(NativeLib.OK, NativeLib.c4j_activation(1, 0, 0, x, 10, 0, y, 10, 0, 10));
    assertNativeArgError(NativeLib.c4j_activation(1, 0, 0, x, 10, 1, y, 10, 0, 10), "x", "offset 1");
    assertNativeArgError(NativeLib.c4j_activation(1, 0, 0, x, 10, 0, y, 9, 0, 10), "y", "buffer has 9");
    assertNativeArgError(NativeLib.c4j_activation(1, 0, 0, x, 10, 0, y, 10, 0, -1), "count must be >= 0");
    assertNativeArgError(NativeLib.c4j_activation(7, 0, 0, x, 10, 0, y, 10, 0, 10), "activation", "got 7");
    assertNativeArgError(NativeLib.c4j_activation(3, 1, 0, x, 10, 0, y, 10, 0, 10), "clamp", "min");
    assertNativeArgError(NativeLib.c4j_activation(2, Float.POSITIVE_INFINITY, 0, x, 10, 0, y, 10, 0, 10), "slope");
    assertNativeArgError(NativeLib.c4j_activation(1, 0, 0, x, 10, 0, x, 10, 1, 9), "overlaps x");
    assertEquals(NativeLib.OK, NativeLib.c4j_softmax(x, 10, 0, y, 10, 0, 2, 5, 1, 1));
    assertNativeArgError(NativeLib.c4j_softmax(x, 10, 0, y, 10, 0, 2, 5, 2, 0), "x", "need 20");
    assertNativeArgError(NativeLib.c4j_softmax(x, 10, 0, y, 10, 0, 0, 5, 1, 0), "outer must be >= 1");
    assertNativeArgError(NativeLib.c4j_softmax(x, 10, 0, y, 10, 0, 2, 0, 1, 0), "dim must be >= 1");
    assertNativeArgError(NativeLib.c4j_softmax(x, 10, 0, y, 10, 0, 2, 5, 0, 0), "inner must be >= 1");
    assertNativeArgError(NativeLib.c4j_softmax(x, 10, 0, y, 10, 0, 2, 5, 1, 2), "log must be 0 or 1");
    assertNativeArgError(NativeLib.c4j_softmax(x, 10, 0, y, 10, 0, 1L << 30, 1L << 20, 1, 0), "exceeds 2^40");
    assertNativeArgError(NativeLib.c4j_softmax(x, 10, 1, x, 10, 0, 1, 9, 1, 0), "overlaps x");
    assertEquals(NativeLib.OK, NativeLib.c4j_add(x, 10, 0, y, 10, 0, y, 10, 0, 10));
    assertNativeArgError(NativeLib.c4j_add(x, 10, 0, y, 10, 2, y, 10, 0, 9), "b", "offset 2");
    assertNativeArgError(NativeLib.c4j_add(x, 10, 0, null, 0, 0, y, 10, 0, 1), "b");
    assertNativeArgError(NativeLib.c4j_add(x, 10, 0, y, 10, 0, y, 10, 1, 9), "overlaps b");
    assertTrue(NativeLib.c4j_last_error().contains("same offset"), NativeLib.c4j_last_error());
  }
}
