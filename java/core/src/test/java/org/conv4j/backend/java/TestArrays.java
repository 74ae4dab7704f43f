package org.conv4j.backend.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.SplittableRandom;

/** Small helpers for the Java backend's tests: seeded random data and element-wise comparison. */
final class TestArrays {
  private TestArrays() {}

  /** |a| element-wise, or null for null. */
  static float[] abs(float[] a) {
    if (a == null) return null;
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) out[i] = Math.abs(a[i]);
    return out;
  }

  /** n floats uniform in [-1, 1) from the given seed. */
  static float[] random(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
    return a;
  }

  /** 0, 1, 2, ... as floats. */
  static float[] iota(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = i;
    return a;
  }

  static float[] filled(int n, float v) {
    float[] a = new float[n];
    java.util.Arrays.fill(a, v);
    return a;
  }

  /** Exact comparison for small-integer cases, reporting the first differing index. */
  static void assertExact(float[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      if (Float.compare(expected[i], actual[i]) != 0 && !(expected[i] == 0f && actual[i] == 0f)) {
        fail(what + ": index " + i + " expected " + expected[i] + " but was " + actual[i]);
      }
    }
  }

  /** |expected - actual| <= tol * (1 + |expected|) at every index. */
  static void assertClose(float[] expected, float[] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what + ": length");
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i], a = actual[i];
      if (!(Math.abs(e - a) <= tol * (1 + Math.abs(e)))) {
        fail(what + ": index " + i + " expected " + e + " but was " + a + " (tol " + tol + ")");
      }
    }
  }
}
