package org.conv4j.backend.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.conv4j.backend.Plan;
import org.conv4j.backend.java.JavaBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.function.Executable;

/**
 * Base of the native-vs-Java tests of conv2d, conv_transpose2d, pool2d, linear and the elementwise ops: skips them
 * where the native backend cannot load, restores both backends' thread counts after each test, and holds the helpers.
 */
abstract class NativeOpsTestBase {
  static final JavaBackend JAVA = JavaBackend.instance();
  static NativeBackend nat;
  private int nativeThreads, javaThreads;

  @BeforeAll
  static void nativeAvailable() {
    assumeTrue(NativeBackend.unavailableReason() == null, () -> "native: " + NativeBackend.unavailableReason());
    nat = NativeBackend.instance();
  }

  @BeforeEach
  void saveThreads() {
    nativeThreads = nat.threads();
    javaThreads = JAVA.threads();
  }

  @AfterEach
  void restoreThreads() {
    nat.setThreads(nativeThreads);
    JAVA.setThreads(javaThreads);
  }

  /** Guard value around every output span: a write outside the span changes it. */
  static final float GUARD = -777f;

  static float[] random(SplittableRandom r, int n, float scale) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) ((r.nextDouble() * 2 - 1) * scale);
    return a;
  }

  static float[] abs(float[] a) {
    if (a == null) return null;
    float[] b = new float[a.length];
    for (int i = 0; i < a.length; i++) b[i] = Math.abs(a[i]);
    return b;
  }

  static void count(Map<String, Integer> seen, String key) {
    seen.merge(key, 1, Integer::sum);
  }

  /** Fails unless every key occurred in the sweep. */
  static void assertCovered(Map<String, Integer> seen, String... keys) {
    for (String k : keys) assertTrue(seen.containsKey(k), k + " never occurred: " + seen);
  }

  /** a at offset off in a longer array filled with fill (NaN: a read outside the span would poison results). */
  static float[] embed(float[] a, int off, int tail, float fill) {
    float[] b = new float[off + a.length + tail];
    Arrays.fill(b, fill);
    System.arraycopy(a, 0, b, off, a.length);
    return b;
  }

  /** A guard-filled array of off + len + tail floats for an output span of len floats at off. */
  static float[] guarded(int off, int len, int tail) {
    float[] y = new float[off + len + tail];
    Arrays.fill(y, GUARD);
    return y;
  }

  /** Fails when anything outside [off, off + len) of y is no longer the guard; returns the span. */
  static float[] span(float[] y, int off, int len, String what) {
    for (int i = 0; i < y.length; i++) {
      if ((i < off || i >= off + len) && Float.floatToRawIntBits(y[i]) != Float.floatToRawIntBits(GUARD)) {
        fail(what + ": wrote outside the output span at " + i + " (span " + off + " + " + len + ")");
      }
    }
    return Arrays.copyOfRange(y, off, off + len);
  }

  /** Runs plan on x (batch images) placed at offset off inside NaN-filled arrays; checks the guards. */
  static float[] runGuarded(Plan plan, float[] x, int batch, int off, String what) {
    int len = batch * plan.outputSize();
    float[] ys = guarded(off, len, 5);
    plan.run(embed(x, off, 3, Float.NaN), off, ys, off, batch);
    return span(ys, off, len, what);
  }

  /** |got - expected| <= tol[i] element by element (NaN only where expected is NaN). */
  static void assertClose(float[] expected, float[] got, double[] tol, String what) {
    assertEquals(expected.length, got.length, what);
    for (int i = 0; i < expected.length; i++) {
      if (Float.isNaN(expected[i]) || Float.isNaN(got[i])) {
        if (Float.isNaN(expected[i]) != Float.isNaN(got[i])) {
          fail(what + ": element " + i + " expected " + expected[i] + " but was " + got[i]);
        }
      } else if (!(Math.abs((double) got[i] - expected[i]) <= tol[i]) && got[i] != expected[i]) {
        fail(what + ": element " + i + " expected " + expected[i] + " but was " + got[i] + " (tol " + tol[i] + ")");
      }
    }
  }

  /**
   * The reduction tolerance of the GEMM-based ops, per element: 2e-6 * sqrt(K) * A_i + 1e-6, where K is the
   * reduction length and A_i = sum |x*w| + |bias| bounds every partial sum (the reference run on absolute values).
   * Float summation rounds each of the K partial sums with relative error at most eps = 6e-8 of A_i; rounding errors
   * of the two implementations (both float, summed in different orders) behave like random walks, ~eps*sqrt(K)*A_i
   * each, and 2e-6 (~17 eps per side) leaves an order of magnitude of headroom for correlated rounding. A wrong tap,
   * pad, channel or bias changes an output by O(A_i / K) or more (weights are scaled by 1/sqrt(K)), far above it.
   * The 1e-6 absolute term covers sigmoid/tanh (relative error < 3e-7 on outputs <= 1); every activation has slope
   * <= 1, so none amplifies the reduction error.
   */
  static double[] reductionTolerance(float[] bound, int k) {
    double[] tol = new double[bound.length];
    for (int i = 0; i < bound.length; i++) tol[i] = 2e-6 * Math.sqrt(k) * bound[i] + 1e-6;
    return tol;
  }

  /** The call must throw IllegalArgumentException from the Java checks (native failures are IllegalStateException). */
  static IllegalArgumentException assertJavaRejects(Executable call, String... fragments) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    for (String f : fragments) {
      assertTrue(e.getMessage().contains(f), "message \"" + e.getMessage() + "\" lacks \"" + f + "\"");
    }
    return e;
  }

  /** A native create returned 0 and c4j_last_error holds every fragment. */
  static void assertNativeCreateFails(long handle, String... fragments) {
    if (handle != 0) {
      NativeLib.c4j_plan_destroy(handle);
      fail("native create accepted what it must refuse; expected an error with " + Arrays.toString(fragments));
    }
    assertErrorText(fragments);
  }

  /** A native call returned C4J_ERR_ARG and c4j_last_error holds every fragment. */
  static void assertNativeArgError(int status, String... fragments) {
    assertEquals(NativeLib.ERR_ARG, status, "status; last error: " + NativeLib.c4j_last_error());
    assertErrorText(fragments);
  }

  private static void assertErrorText(String... fragments) {
    String msg = NativeLib.c4j_last_error();
    for (String f : fragments) assertTrue(msg.contains(f), "native error \"" + msg + "\" lacks \"" + f + "\"");
  }
}
