package org.conv4j.bench;

import java.util.Arrays;

/** Order statistics of one contender's single-run times (nanoseconds). */
record Stats(double median, double p25, double p75, int samples) {
  static Stats of(long[] nanos) {
    if (nanos.length == 0) throw new IllegalArgumentException("nanos must not be empty");
    long[] s = nanos.clone();
    Arrays.sort(s);
    return new Stats(quantile(s, 0.5), quantile(s, 0.25), quantile(s, 0.75), s.length);
  }

  /** Linear interpolation between closest ranks (numpy's default) of sorted values. */
  static double quantile(long[] sorted, double q) {
    double pos = q * (sorted.length - 1);
    int lo = (int) Math.floor(pos);
    int hi = Math.min(lo + 1, sorted.length - 1);
    return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
  }

  /** Interquartile range relative to the median: how noisy the samples were. */
  double spread() {
    return (p75 - p25) / median;
  }
}
