package org.conv4j.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Measures several engines on the same workload in alternation, so that a change of machine load (the benchmark
 * machine is shared) falls on all of them alike: each is warmed up alone first, then rounds give every engine one
 * time slice in turn (the first engine of a round rotates), and every single run inside a slice is timed. The result
 * is each engine's list of single-run times; their medians are what the report compares.
 *
 * <p>Between one engine's runs and another's the machine is left idle for a settle time: ONNX Runtime's intra-op
 * workers spin for tens of milliseconds after a run (its default), on the cores the next engine then needs: without
 * the pause, conv4j's MobileNetV2 at two threads ran 14.4 ms in the first 30 ms of a slice that followed ONNX
 * Runtime's and 8.1 ms later in the slice ({@link SettleProbe}).
 */
final class Alternation {
  /** One inference of one engine. */
  @FunctionalInterface
  interface Run {
    void run() throws Exception;
  }

  /**
   * How long to measure. Warm-up: each engine alone, at least warmupRuns runs and warmupNanos. Slices: runs of one
   * engine until sliceNanos have passed (at least one run); settleNanos idle before each warm-up or slice that follows
   * another engine's. Rounds go on until there are minRounds and every engine has minSamples runs, or, once there are
   * minRounds, until maxNanos of rounds have passed.
   */
  record Schedule(long warmupNanos, int warmupRuns, long sliceNanos, long settleNanos, int minRounds, int minSamples,
      long maxNanos) {
    Schedule {
      if (warmupRuns < 0 || minRounds < 1 || minSamples < 1 || sliceNanos < 0 || settleNanos < 0 || maxNanos < 0) {
        throw new IllegalArgumentException("schedule needs warmupRuns >= 0, minRounds >= 1, minSamples >= 1 and"
            + " non-negative times, got " + this);
      }
    }

    static final Schedule FULL = new Schedule(ms(1500), 2, ms(150), ms(100), 4, 25, ms(40_000));
    static final Schedule QUICK = new Schedule(ms(200), 1, ms(40), ms(100), 3, 5, ms(3_000));

    private static long ms(long millis) {
      return millis * 1_000_000L;
    }

    String describe() {
      return String.format(java.util.Locale.ROOT, "warm-up alone >= %d runs and >= %d ms per engine; then rounds of"
          + " one %d ms slice per engine (first engine rotates each round), every run timed, %d ms idle whenever the"
          + " engine changes; >= %d rounds, until each engine has >= %d runs or %d s have passed", warmupRuns,
          warmupNanos / 1_000_000, sliceNanos / 1_000_000, settleNanos / 1_000_000, minRounds, minSamples,
          maxNanos / 1_000_000_000L);
    }
  }

  /** Idles for the given nanoseconds. */
  @FunctionalInterface
  interface Pause {
    void idle(long nanos) throws InterruptedException;
  }

  private final Schedule schedule;
  private final LongSupplier clock;
  private final Pause pause;

  /** On the real clock: pauses sleep. */
  Alternation(Schedule schedule, LongSupplier clock) {
    this(schedule, clock, TimeUnit.NANOSECONDS::sleep);
  }

  Alternation(Schedule schedule, LongSupplier clock, Pause pause) {
    this.schedule = schedule;
    this.clock = clock;
    this.pause = pause;
  }

  /** Warms up, then alternates; returns the single-run times in nanoseconds, one array per engine, in order. */
  List<long[]> measure(List<Run> engines) throws Exception {
    if (engines.isEmpty()) throw new IllegalArgumentException("engines must not be empty");
    int n = engines.size();
    for (int i = 0; i < n; i++) {
      if (i > 0) pause.idle(schedule.settleNanos());
      warmUp(engines.get(i));
    }
    List<Samples> samples = new ArrayList<>();
    for (int i = 0; i < n; i++) samples.add(new Samples());
    long start = clock.getAsLong();
    int last = n - 1;  // the engine that ran last
    for (int round = 0; ; round++) {
      for (int k = 0; k < n; k++) {
        int i = (round + k) % n;
        if (i != last) pause.idle(schedule.settleNanos());
        slice(engines.get(i), samples.get(i));
        last = i;
      }
      int rounds = round + 1;
      if (rounds < schedule.minRounds()) continue;
      boolean enough = samples.stream().allMatch(s -> s.size >= schedule.minSamples());
      if (enough || clock.getAsLong() - start >= schedule.maxNanos()) break;
    }
    List<long[]> out = new ArrayList<>();
    for (Samples s : samples) out.add(Arrays.copyOf(s.nanos, s.size));
    return out;
  }

  private void warmUp(Run e) throws Exception {
    long start = clock.getAsLong();
    for (int runs = 0; runs < schedule.warmupRuns() || clock.getAsLong() - start < schedule.warmupNanos(); runs++) {
      e.run();
    }
  }

  private void slice(Run e, Samples s) throws Exception {
    long start = clock.getAsLong();
    long end;
    do {
      long t0 = clock.getAsLong();
      e.run();
      end = clock.getAsLong();
      s.add(end - t0);
    } while (end - start < schedule.sliceNanos());
  }

  /** A growable long array. */
  private static final class Samples {
    long[] nanos = new long[64];
    int size;

    void add(long v) {
      if (size == nanos.length) nanos = Arrays.copyOf(nanos, size * 2);
      nanos[size++] = v;
    }
  }
}
