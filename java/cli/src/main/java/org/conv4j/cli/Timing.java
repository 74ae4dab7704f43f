package org.conv4j.cli;

import java.util.Arrays;

/**
 * Times repeated runs of one body: untimed warm-up runs (at least warmup of them, and more until warmupSeconds have
 * passed: the first runs after start-up share the cores with the JIT compiler and fill caches and thread pools),
 * then up to iters timed runs, stopping early once maxSeconds of timed runs have passed and at least
 * {@link #MIN_TIMED} (or iters, if fewer) were taken.
 */
final class Timing {
  /** Timed runs taken even past the time budget, so the median means something. */
  static final int MIN_TIMED = 3;

  private Timing() {}

  static Stats measure(Runnable body, int warmup, double warmupSeconds, int iters, double maxSeconds) {
    if (iters < 1) throw new IllegalArgumentException("iters must be >= 1, got " + iters);
    long warmStart = System.nanoTime(), warmBudget = (long) (warmupSeconds * 1e9);
    for (int i = 0; i < warmup || System.nanoTime() - warmStart < warmBudget; i++) body.run();
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
