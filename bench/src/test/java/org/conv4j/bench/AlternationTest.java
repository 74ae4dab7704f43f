package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The alternation schedule on a simulated clock: every engine's run advances it by a fixed time. */
class AlternationTest {
  /** A clock that only moves when a fake engine runs, and the log of which engine ran. */
  static final class FakeClock {
    long now;
    final List<Integer> log = new ArrayList<>();

    Alternation.Run engine(int id, long nanos) {
      return () -> {
        log.add(id);
        now += nanos;
      };
    }
  }

  @Test
  void samplesAreTheSingleRunTimesAfterWarmUp() throws Exception {
    FakeClock c = new FakeClock();
    Alternation.Schedule s = new Alternation.Schedule(0, 2, 0, 0, 4, 1, Long.MAX_VALUE);
    List<long[]> out = new Alternation(s, () -> c.now).measure(List.of(c.engine(0, 7), c.engine(1, 11)));
    // zero slice time: one run per slice; 4 rounds
    assertArrayEquals(new long[] {7, 7, 7, 7}, out.get(0));
    assertArrayEquals(new long[] {11, 11, 11, 11}, out.get(1));
    // 2 warm-up runs each, alone and first, then the rounds
    assertEquals(List.of(0, 0, 1, 1), c.log.subList(0, 4));
  }

  @Test
  void theFirstEngineOfARoundRotates() throws Exception {
    FakeClock c = new FakeClock();
    Alternation.Schedule s = new Alternation.Schedule(0, 0, 0, 0, 3, 1, Long.MAX_VALUE);
    new Alternation(s, () -> c.now).measure(List.of(c.engine(0, 1), c.engine(1, 1), c.engine(2, 1)));
    assertEquals(List.of(0, 1, 2, 1, 2, 0, 2, 0, 1), c.log);
  }

  @Test
  void aSliceRepeatsRunsUntilItsTimeHasPassed() throws Exception {
    FakeClock c = new FakeClock();
    Alternation.Schedule s = new Alternation.Schedule(0, 0, 100, 0, 2, 1, Long.MAX_VALUE);
    List<long[]> out = new Alternation(s, () -> c.now).measure(List.of(c.engine(0, 30), c.engine(1, 200)));
    assertEquals(8, out.get(0).length, "4 runs of 30 ns fill a 100 ns slice, 2 rounds");
    assertEquals(2, out.get(1).length, "a run longer than the slice is one sample");
  }

  @Test
  void roundsGoOnUntilEveryEngineHasMinSamples() throws Exception {
    FakeClock c = new FakeClock();
    Alternation.Schedule s = new Alternation.Schedule(0, 0, 100, 0, 1, 6, Long.MAX_VALUE);
    List<long[]> out = new Alternation(s, () -> c.now).measure(List.of(c.engine(0, 10), c.engine(1, 60)));
    assertEquals(6, out.get(1).length, "2 runs of 60 ns per slice: 3 rounds for 6 samples");
    assertEquals(30, out.get(0).length);
  }

  @Test
  void maxTimeEndsTheRoundsOnceMinRoundsAreDone() throws Exception {
    FakeClock c = new FakeClock();
    Alternation.Schedule s = new Alternation.Schedule(0, 0, 0, 0, 3, 1000, 1000);
    List<long[]> out = new Alternation(s, () -> c.now).measure(List.of(c.engine(0, 100), c.engine(1, 100)));
    // 200 ns per round: the 5th round passes 1000 ns of rounds
    assertEquals(5, out.get(0).length);
    assertEquals(5, out.get(1).length);

    FakeClock slow = new FakeClock();
    out = new Alternation(s, () -> slow.now).measure(List.of(slow.engine(0, 5000)));
    assertEquals(3, out.get(0).length, "minRounds hold even when one round exceeds the time limit");
  }

  @Test
  void warmUpRunsForItsTimeAndItsCount() throws Exception {
    FakeClock c = new FakeClock();
    Alternation.Schedule s = new Alternation.Schedule(50, 1, 0, 0, 1, 1, Long.MAX_VALUE);
    new Alternation(s, () -> c.now).measure(List.of(c.engine(0, 10)));
    assertEquals(5 + 1, c.log.size(), "5 warm-up runs of 10 ns reach 50 ns, then one measured run");
  }

  @Test
  void anEngineFailureStopsTheMeasurement() {
    FakeClock c = new FakeClock();
    Alternation.Schedule s = new Alternation.Schedule(0, 0, 0, 0, 2, 1, Long.MAX_VALUE);
    Alternation.Run bad = () -> {
      throw new IllegalStateException("engine broke");
    };
    Exception e = assertThrows(IllegalStateException.class,
        () -> new Alternation(s, () -> c.now).measure(List.of(c.engine(0, 1), bad)));
    assertEquals("engine broke", e.getMessage());
  }

  @Test
  void theMachineIdlesBeforeEveryEngineTurnThatFollowsAnother() throws Exception {
    FakeClock c = new FakeClock();
    Alternation.Schedule s = new Alternation.Schedule(0, 1, 0, 40, 2, 1, Long.MAX_VALUE);
    Alternation.Pause pause = nanos -> {
      c.log.add(-1);
      c.now += nanos;
    };
    List<long[]> out = new Alternation(s, () -> c.now, pause).measure(List.of(c.engine(0, 5), c.engine(1, 7)));
    // warm-ups 0, 1, then rounds (0, 1) and (1, 0): a pause wherever the engine changes, none between 1 and 1
    assertEquals(List.of(0, -1, 1, -1, 0, -1, 1, 1, -1, 0), c.log);
    assertArrayEquals(new long[] {5, 5}, out.get(0), "pauses are not part of a run's time");

    FakeClock alone = new FakeClock();
    new Alternation(s, () -> alone.now, nanos -> alone.log.add(-1)).measure(List.of(alone.engine(0, 5)));
    assertEquals(List.of(0, 0, 0), alone.log, "one engine: nothing to settle from");
  }

  @Test
  void badSchedulesAndEmptyEngineListsAreRejected() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> new Alternation.Schedule(0, 0, 0, 0, 0, 1, 0));
    assertTrue(e.getMessage().contains("minRounds >= 1"), e.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> new Alternation(Alternation.Schedule.QUICK, System::nanoTime).measure(List.of()));
  }
}
