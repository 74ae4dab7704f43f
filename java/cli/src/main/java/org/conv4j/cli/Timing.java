package org.conv4j.cli;

import java.util.Arrays;

/**
 * Times repeated runs of one body: warmup untimed runs, then up to iters timed runs, stopping early once
 * maxSeconds of timed runs have passed and at least {@link #MIN_TIMED} (or iters, if fewer) were taken.
 */
final class Timing {
  /** Timed runs taken even past the time budget, so the median means something. */
  static final int MIN_TIMED = 3;

  private Timing() {}

  static Stats measure(Runnable body, int warmup, int iters, double maxSeconds) {
    if (iters < 1) throw new IllegalArgumentException("iters must be >= 1, got " + iters);
    for (int i = 0; i < warmup; i++) body.run();
    long[] nanos = new long[iters];
    long budget = maxSeconds > 0 ? (long) (maxSeconds * 1e9) : Long.MAX_VALUE;
    long start = System.nanoTime();
    int n = 0;
    while (n < iters) {
      long t0 = System.nanoTime();
      body.run();
      nanos[n++] = System.nanoTime() - t0;
      if (n >= Math.min(MIN_TIMED, iters) && System.nanoTime() - start >= budget) break;
    }
    return Stats.ofNanos(Arrays.copyOf(nanos, n));
  }
}
