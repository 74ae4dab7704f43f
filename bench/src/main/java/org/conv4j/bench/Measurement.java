package org.conv4j.bench;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * One workload measured at one thread count: each contender's run-time statistics, how far each conv4j output was
 * from ONNX Runtime's (max |difference| / max |ORT output|), and the 1-minute load average when it finished.
 */
record Measurement(Workload workload, int threads, Map<Contender, Stats> stats, Map<Contender, Double> relDiff,
    String load) {
  Measurement {
    stats = copy(stats);
    relDiff = copy(relDiff);
  }

  /** An unmodifiable copy iterating in Contender order. */
  private static <V> Map<Contender, V> copy(Map<Contender, V> m) {
    EnumMap<Contender, V> c = new EnumMap<>(Contender.class);
    c.putAll(m);
    return Collections.unmodifiableMap(c);
  }

  /** Median nanoseconds of one run, NaN when the contender was not measured. */
  double median(Contender c) {
    Stats s = stats.get(c);
    return s == null ? Double.NaN : s.median();
  }

  /** Workload FLOPs (all images of the batch) / median time, in GFLOP/s. */
  double gflops(Contender c) {
    return (double) workload.flopsPerImage() * workload.batch() / median(c);
  }

  double imagesPerSecond(Contender c) {
    return workload.batch() * 1e9 / median(c);
  }
}
