package org.conv4j.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.backend.BackendKind;
import org.conv4j.backend.Backends;
import org.conv4j.backend.jni.NativeBackend;

/** Shared helpers of the graph, nn and models tests: backends to run on, seeded data, comparisons. */
public final class TestSupport {
  private TestSupport() {}

  /** The Java backend, plus native where it loads on this machine. */
  public static List<Backend> backends() {
    List<Backend> list = new ArrayList<>();
    list.add(Backends.get(BackendKind.JAVA));
    if (NativeBackend.unavailableReason() == null) list.add(Backends.get(BackendKind.NATIVE));
    return list;
  }

  /** n floats uniform in [-1, 1). */
  public static float[] random(long seed, int n) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) (r.nextDouble() * 2 - 1);
    return a;
  }

  public static Tensor randomTensor(long seed, int... shape) {
    return Tensor.of(random(seed, Math.toIntExact(Tensor.numel(shape))), shape);
  }

  public static float[] iota(int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = i;
    return a;
  }

  /** Largest |x|. */
  public static double maxAbs(float[] x) {
    double m = 0;
    for (float v : x) m = Math.max(m, Math.abs(v));
    return m;
  }

  /**
   * Same shape and |expected - actual| <= tol * max|expected| everywhere: a tolerance relative to the output's
   * magnitude, since float32 sums of many products err in proportion to the terms' size, not to each output.
   */
  public static void assertCloseScaled(Tensor expected, Tensor actual, double tol, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    float[] e = expected.data(), a = actual.data();
    double bound = tol * Math.max(maxAbs(e), Float.MIN_NORMAL);
    double worst = 0;
    int at = -1;
    for (int i = 0; i < e.length; i++) {
      double d = Math.abs((double) e[i] - a[i]);
      if (!(d <= worst)) {
        worst = d;
        at = i;
      }
    }
    if (!(worst <= bound)) {
      fail(what + ": index " + at + " expected " + e[at] + " but was " + a[at] + " (|diff| " + worst + " > "
          + bound + " = " + tol + " * max|expected| " + maxAbs(e) + ")");
    }
  }

  /** Bit-identical data and equal shapes. */
  public static void assertSame(Tensor expected, Tensor actual, String what) {
    assertArrayEquals(expected.shape(), actual.shape(), what + ": shape");
    assertArrayEquals(expected.data(), actual.data(), 0f, what);
  }

  /** An NCHW tensor's data rearranged as NHWC [N, H, W, C]. */
  public static Tensor toNhwc(Tensor nchw) {
    int n = nchw.dim(0), c = nchw.dim(1), h = nchw.dim(2), w = nchw.dim(3);
    float[] out = new float[nchw.numel()];
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < c; ch++) {
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) out[((i * h + y) * w + x) * c + ch] = nchw.data()[((i * c + ch) * h + y) * w + x];
        }
      }
    }
    return Tensor.of(out, n, h, w, c);
  }
}
