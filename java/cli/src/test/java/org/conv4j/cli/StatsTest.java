package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void medianP90MinMeanOfOddAndEvenCounts() {
    // 1..10 ms in shuffled order: median (5+6)/2, p90 the 9th smallest, min 1, mean 5.5
    Stats s = Stats.ofNanos(new long[] {7_000_000, 1_000_000, 10_000_000, 3_000_000, 5_000_000, 9_000_000,
        2_000_000, 8_000_000, 6_000_000, 4_000_000});
    assertEquals(10, s.count());
    assertEquals(5.5, s.medianMs(), 1e-12);
    assertEquals(9.0, s.p90Ms(), 1e-12);
    assertEquals(1.0, s.minMs(), 1e-12);
    assertEquals(5.5, s.meanMs(), 1e-12);
    assertEquals(4 * 1000 / 5.5, s.imagesPerSecond(4), 1e-9);
    Stats three = Stats.ofNanos(new long[] {3_000_000, 1_000_000, 2_000_000});
    assertEquals(2.0, three.medianMs(), 1e-12);
    assertEquals(3.0, three.p90Ms(), 1e-12); // ceil(2.7) = 3rd smallest
    Stats one = Stats.ofNanos(new long[] {1_500_000});
    assertEquals(1.5, one.medianMs(), 1e-12);
    assertEquals(1.5, one.p90Ms(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Stats.ofNanos(new long[0]));
  }

  @Test
  void timingRunsWarmupThenUpToItersAndRespectsTheMinimumUnderABudget() {
    int[] calls = {0};
    Stats s = Timing.measure(() -> calls[0]++, 2, 0, 5, 0);
    assertEquals(7, calls[0]);
    assertEquals(5, s.count());
    // a budget already exceeded stops after the minimum number of timed runs
    calls[0] = 0;
    Stats cut = Timing.measure(() -> {
      calls[0]++;
      long t = System.nanoTime();
      while (System.nanoTime() - t < 2_000_000) Thread.onSpinWait();
    }, 0, 0, 50, 1e-6);
    assertEquals(Timing.MIN_TIMED, cut.count());
    assertEquals(Timing.MIN_TIMED, calls[0]);
    // fewer iterations than the minimum are honoured
    assertEquals(1, Timing.measure(() -> {}, 0, 0, 1, 1e-9).count());
  }

  @Test
  void timingWarmsUpForItsWarmupTimeBeyondTheWarmupRuns() {
    List<Long> starts = new ArrayList<>();
    Runnable twoMs = () -> {
      long t = System.nanoTime();
      starts.add(t);
      while (System.nanoTime() - t < 2_000_000) Thread.onSpinWait();
    };
    long t0 = System.nanoTime();
    Stats s = Timing.measure(twoMs, 1, 0.05, 2, 0);
    assertEquals(2, s.count());
    int warm = starts.size() - 2; // the last two calls are the timed runs
    long warmNanos = starts.get(warm) - t0;
    // with the one warm-up run alone, the first timed run would start about 2 ms after the call
    assertTrue(warmNanos >= 50_000_000L, warm + " warm-up runs took " + warmNanos + " ns, not >= 50 ms");
  }
}
