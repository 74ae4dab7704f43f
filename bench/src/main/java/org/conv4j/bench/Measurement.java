package org.conv4j.bench;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * One workload measured at one thread count: each contender's run-time statistics, how far each conv4j output was
 * from ONNX Runtime's (max |difference| / max |ORT output|), and the 1-minute load average when it finished.
 * nativeBesideJava is conv4j native measured in alternation with conv4j Java in a JVM of their own (null when the
 * Java engine, if measured, alternated with the others here): the Java engine's ratio to native is taken against it.
 */
record Measurement(Workload workload, int threads, Map<Contender, Stats> stats, Map<Contender, Double> relDiff,
    String load, Stats nativeBesideJava) {
  Measurement {
    stats = copy(stats);
    relDiff = copy(relDiff);
  }

  Measurement(Workload workload, int threads, Map<Contender, Stats> stats, Map<Contender, Double> relDiff,
      String load) {
    this(workload, threads, stats, relDiff, load, null);
  }

  /** An unmodifiable copy iterating in Contender order. */
  private static <V> Map<Contender, V> copy(Map<Contender, V> m) {
    EnumMap<Contender, V> c = new EnumMap<>(Contender.class);
    c.putAll(m);
    return Collections.unmodifiableMap(c);
  }

  /**
   * This row with the Java engine's row of the same workload and threads, measured in another JVM, joined in: its
   * Java statistics and output difference, and the native measured beside it.
   */
  Measurement withJava(Measurement java) {
    if (java.workload != workload || java.threads != threads) {
      throw new IllegalArgumentException("Java row " + java.workload.label() + " at " + java.threads + " threads"
          + " joined to " + workload.label() + " at " + threads + " threads");
    }
    Map<Contender, Stats> s = new EnumMap<>(Contender.class);
    s.putAll(stats);
    Map<Contender, Double> d = new EnumMap<>(Contender.class);
    d.putAll(relDiff);
    Stats j = java.stats.get(Contender.JAVA);
    if (j != null) s.put(Contender.JAVA, j);
    Double jd = java.relDiff.get(Contender.JAVA);
    if (jd != null) d.put(Contender.JAVA, jd);
    return new Measurement(workload, threads, s, d, load, java.nativeBesideJava);
  }

  /** Median nanoseconds of one run, NaN when the contender was not measured. */
  double median(Contender c) {
    Stats s = stats.get(c);
    return s == null ? Double.NaN : s.median();
  }

  /** Java median / native median, native as measured beside Java when it was (NaN when either is missing). */
  double javaOverNative() {
    return median(Contender.JAVA) / (nativeBesideJava != null ? nativeBesideJava.median()
        : median(Contender.NATIVE));
  }

  /** Workload FLOPs (all images of the batch) / median time, in GFLOP/s. */
  double gflops(Contender c) {
    return (double) workload.flopsPerImage() * workload.batch() / median(c);
  }

  double imagesPerSecond(Contender c) {
    return workload.batch() * 1e9 / median(c);
  }
}
