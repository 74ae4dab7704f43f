package org.conv4j.cli;

import java.util.Arrays;

/**
 * Summary of repeated timings in milliseconds. The median of an even count is the mean of the two middle
 * samples; p90 is the nearest-rank 90th percentile (the ceil(0.9 n)-th smallest sample).
 */
record Stats(int count, double medianMs, double p90Ms, double minMs, double meanMs) {
  static Stats ofNanos(long[] nanos) {
    if (nanos.length == 0) throw new IllegalArgumentException("need at least one timing, got none");
    long[] s = nanos.clone();
    Arrays.sort(s);
    int n = s.length;
    double median = n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + (double) s[n / 2]) / 2;
    int rank = (int) Math.ceil(0.9 * n);
    double sum = 0;
    for (long v : s) sum += v;
    return new Stats(n, median / 1e6, s[rank - 1] / 1e6, s[0] / 1e6, sum / n / 1e6);
  }

  /** Images per second at the median latency for a batch of the given size. */
  double imagesPerSecond(int batch) {
    return batch * 1000.0 / medianMs;
  }
}
