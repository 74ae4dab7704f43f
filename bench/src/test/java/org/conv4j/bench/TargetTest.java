package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TargetTest {
  /** A measurement of a workload with 1e9 FLOPs per image whose engines took these medians (ns; <= 0: absent). */
  static Measurement measured(int batch, int threads, long nativeNs, long javaNs, long ortNs, Target... targets) {
    Workload w = new Workload(Workload.Section.MODELS, "Net", "Net b" + batch, new int[] {3, 8, 8}, batch,
        1_000_000_000L, List.of(targets));
    Map<Contender, Stats> stats = new EnumMap<>(Contender.class);
    if (nativeNs > 0) stats.put(Contender.NATIVE, Stats.of(new long[] {nativeNs}));
    if (javaNs > 0) stats.put(Contender.JAVA, Stats.of(new long[] {javaNs}));
    stats.put(Contender.ORT, Stats.of(new long[] {ortNs}));
    return new Measurement(w, threads, stats, Map.of(), "1.00");
  }

  @Test
  void timeRatioToOrtMustBeAtMostTheBound() {
    Target t = new Target(Target.Metric.NATIVE_TIME_VS_ORT, 0.80, 0.85);
    assertEquals(0.8, t.value(measured(1, 1, 80, 0, 100, t)), 1e-12);
    assertEquals("PASS", t.verdict(measured(1, 1, 80, 0, 100, t)));
    assertEquals("MISS", t.verdict(measured(1, 1, 81, 0, 100, t)));
    assertEquals("PASS", t.verdict(measured(1, 2, 85, 0, 100, t)), "the 2-thread bound is 0.85");
    assertEquals("n/a", t.verdict(measured(1, 4, 10, 0, 100, t)), "no bound at 4 threads");
    assertEquals("n/a", t.verdict(measured(1, 1, 0, 10, 100, t)), "native not measured");
    assertEquals("native/ORT time <= 0.85", t.describe(2));
  }

  @Test
  void throughputRatioIsOrtTimeOverNativeTimeAndMustBeAtLeastTheBound() {
    Target t = Target.of(Target.Metric.NATIVE_THROUGHPUT_VS_ORT, 1.25);
    assertEquals(1.25, t.value(measured(8, 1, 80, 0, 100, t)), 1e-12);
    assertEquals("PASS", t.verdict(measured(8, 1, 80, 0, 100, t)));
    assertEquals("MISS", t.verdict(measured(8, 2, 81, 0, 100, t)));
    assertEquals("native/ORT images/s >= 1.25", t.describe(1));
  }

  @Test
  void gflopsCountEveryImageOfTheBatch() {
    Target t = new Target(Target.Metric.NATIVE_GFLOPS, 60, 110);
    // 8 images x 1e9 FLOPs in 0.1 s = 80 GFLOP/s
    Measurement m = measured(8, 1, 100_000_000L, 0, 1, t);
    assertEquals(80, t.value(m), 1e-9);
    assertEquals("PASS", t.verdict(m));
    assertEquals("MISS", t.verdict(measured(8, 2, 100_000_000L, 0, 1, t)));
    assertEquals(80, m.imagesPerSecond(Contender.NATIVE), 1e-9);
  }

  @Test
  void javaOverNativeMustBeAtMostTheBound() {
    Target t = Target.of(Target.Metric.JAVA_TIME_VS_NATIVE, 4.0);
    assertEquals("PASS", t.verdict(measured(1, 1, 100, 400, 50, t)));
    assertEquals("MISS", t.verdict(measured(1, 1, 100, 401, 50, t)));
    assertEquals("n/a", t.verdict(measured(1, 1, 100, 0, 50, t)), "Java not measured");
    Measurement m = measured(1, 1, 100, 401, 50, t);
    Measurement besideJava = new Measurement(m.workload(), 1, m.stats(), Map.of(), "1.00",
        Stats.of(new long[] {101}));
    assertEquals("PASS", t.verdict(besideJava), "against the native measured beside Java");
  }

  @Test
  void formattingKeepsThreeSignificantDigitsOrSo() {
    assertEquals("0.67", Target.format(0.67));
    assertEquals("60.0", Target.format(60));
    assertEquals("110", Target.format(110));
    assertEquals("—", Target.format(Double.NaN));
  }
}
