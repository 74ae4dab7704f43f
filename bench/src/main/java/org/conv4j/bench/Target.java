package org.conv4j.bench;

import java.util.Locale;

/**
 * A speed target of the side-by-side comparison: a metric of one measured row and the bound it must meet at one and
 * at two threads (NaN: no target at that thread count).
 */
record Target(Metric metric, double oneThread, double twoThreads) {
  /** What is compared, and in which direction the bound holds. */
  enum Metric {
    /** conv4j-native median time / ONNX Runtime median time, at most the bound. */
    NATIVE_TIME_VS_ORT("native/ORT time", false),
    /** conv4j-native images/s / ONNX Runtime images/s (= ORT time / native time), at least the bound. */
    NATIVE_THROUGHPUT_VS_ORT("native/ORT images/s", true),
    /** conv4j-native GFLOP/s (FLOPs of the direct convolution / median time), at least the bound. */
    NATIVE_GFLOPS("native GFLOP/s", true),
    /** conv4j-java median time / conv4j-native median time (native measured beside Java), at most the bound. */
    JAVA_TIME_VS_NATIVE("java/native time", false);

    final String label;
    final boolean atLeast;

    Metric(String label, boolean atLeast) {
      this.label = label;
      this.atLeast = atLeast;
    }
  }

  /** The same bound at every thread count. */
  static Target of(Metric metric, double bound) {
    return new Target(metric, bound, bound);
  }

  /** The bound at this thread count, NaN when there is none. */
  double bound(int threads) {
    return threads == 1 ? oneThread : threads == 2 ? twoThreads : Double.NaN;
  }

  /** The metric's value for a measured row (NaN when a contender it needs was not measured). */
  double value(Measurement m) {
    switch (metric) {
      case NATIVE_TIME_VS_ORT:
        return m.median(Contender.NATIVE) / m.median(Contender.ORT);
      case NATIVE_THROUGHPUT_VS_ORT:
        return m.median(Contender.ORT) / m.median(Contender.NATIVE);
      case NATIVE_GFLOPS:
        return m.gflops(Contender.NATIVE);
      case JAVA_TIME_VS_NATIVE:
        return m.javaOverNative();
      default:
        throw new AssertionError(metric);
    }
  }

  /** PASS / MISS for a measured row, or "n/a" when there is no bound at its thread count or no value. */
  String verdict(Measurement m) {
    double bound = bound(m.threads());
    double v = value(m);
    if (Double.isNaN(bound) || Double.isNaN(v)) return "n/a";
    return (metric.atLeast ? v >= bound : v <= bound) ? "PASS" : "MISS";
  }

  /** E.g. "native/ORT time <= 0.80" for the row's thread count. */
  String describe(int threads) {
    double bound = bound(threads);
    if (Double.isNaN(bound)) return metric.label + ": none";
    return metric.label + (metric.atLeast ? " >= " : " <= ") + format(bound);
  }

  static String format(double v) {
    if (Double.isNaN(v)) return "—";
    return String.format(Locale.ROOT, Math.abs(v) >= 100 ? "%.0f" : Math.abs(v) >= 10 ? "%.1f" : "%.2f", v);
  }
}
