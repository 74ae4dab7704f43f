package org.conv4j.bench;

import static org.conv4j.bench.TargetTest.measured;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SideBySideReportTest {
  private static final Target RATIO = new Target(Target.Metric.NATIVE_TIME_VS_ORT, 0.80, 0.85);

  @Test
  void targetsListVerdictsWithMargins() {
    String t = SideBySideReport.targets(List.of(
        measured(1, 1, 60_000_000L, 0, 100_000_000L, RATIO), // 0.60 <= 0.80: met with 25 % room
        measured(1, 2, 102_000_000L, 0, 100_000_000L, RATIO), // 1.02 > 0.85: missed by 20 %
        measured(1, 3, 1, 0, 1, RATIO))); // no bound at 3 threads: not listed
    assertTrue(t.contains("| Net b1 | 1 | native/ORT time <= 0.80 | 0.60 | PASS | +25% |"), t);
    assertTrue(t.contains("| Net b1 | 2 | native/ORT time <= 0.85 | 1.02 | **MISS** | -20% |"), t);
    assertTrue(t.contains("1 of 2 targets met."), t);
    assertEquals(2 + 2, t.lines().filter(l -> l.startsWith("|")).count(), "header, rule and two rows");
  }

  @Test
  void tableRowsGiveMediansThroughputGflopsAndRatios() {
    String table = SideBySideReport.table(List.of(measured(8, 1, 40_000_000L, 160_000_000L, 50_000_000L, RATIO)));
    // 8 images in 40 ms = 200 images/s, 8e9 FLOPs in 40 ms = 200 GFLOP/s; ORT 160 images/s, 160 GFLOP/s
    assertTrue(table.contains("| Net | 8 | 1 | 40.00 ms ±0% | 160.0 ms ±0% | 50.00 ms ±0% | 200 | 160 | 200 | 160 "
        + "| 0.80 | 3.20 |"), table);
    assertTrue(table.contains("native/ORT time <= 0.80: 0.80 PASS"), table);
  }

  @Test
  void absentEnginesAreDashes() {
    String table = SideBySideReport.table(List.of(measured(1, 1, 0, 0, 900, RATIO)));
    assertTrue(table.contains("| Net | 1 | 1 | — | — | 0.9 µs ±0% |"), table);
  }

  @Test
  void theReportNamesCommandMachineAndNotes() {
    MachineInfo m = new MachineInfo("Test CPU", "AVX2+FMA: yes", 2, "Test JVM", "Test OS");
    SideBySideReport.Header h = new SideBySideReport.Header("bench/run-side-by-side.sh --quick", "2026-01-01",
        m, "1.0 1.0 1.0", "2.0 2.0 2.0", List.of("measurement: alternated"));
    String md = SideBySideReport.render(h, List.of(measured(1, 1, 1, 0, 1, RATIO)), List.of("a note"),
        "results-ratio.png");
    for (String s : List.of("`bench/run-side-by-side.sh --quick`", "Test CPU, 2 logical cores", "AVX2+FMA: yes",
        "Test JVM", "before: 1.0 1.0 1.0, after: 2.0 2.0 2.0", "- measurement: alternated",
        "![conv4j native / ONNX Runtime time](results-ratio.png)", "## Whole models", "- a note")) {
      assertTrue(md.contains(s), s + " missing from:\n" + md);
    }
  }
}
