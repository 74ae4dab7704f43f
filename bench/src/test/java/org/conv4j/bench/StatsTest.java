package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class StatsTest {
  @Test
  void quantilesInterpolateBetweenClosestRanks() {
    Stats odd = Stats.of(new long[] {9, 1, 5, 3, 7});
    assertEquals(5, odd.median());
    assertEquals(3, odd.p25());
    assertEquals(7, odd.p75());
    assertEquals(5, odd.samples());
    assertEquals(0.8, odd.spread(), 1e-12);

    Stats even = Stats.of(new long[] {4, 1, 3, 2});
    assertEquals(2.5, even.median());
    assertEquals(1.75, even.p25());
    assertEquals(3.25, even.p75());
  }

  @Test
  void oneSampleIsEveryQuantile() {
    Stats s = Stats.of(new long[] {42});
    assertEquals(42, s.median());
    assertEquals(42, s.p25());
    assertEquals(0, s.spread());
  }

  @Test
  void noSamplesIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> Stats.of(new long[0]));
  }
}
