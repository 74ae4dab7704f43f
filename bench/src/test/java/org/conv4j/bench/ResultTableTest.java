package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ResultTableTest {
  private static final BenchShape CONV = Conv2dBench.Shape.RESNET18_3X3_64_56;

  private static ResultRow conv(String backend, int threads, double micros, String algo) {
    return new ResultRow("Conv2dBench", CONV, backend, threads, micros, 100, algo);
  }

  @Test
  void gflopsComeFromTheMedian() {
    // 231,211,008 FLOPs in 5 ms
    assertEquals(46.2422016, conv("native", 1, 5000, "DIRECT").gflops(), 1e-9);
  }

  @Test
  void rejectsANonPositiveMedian() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> conv("java", 1, 0, ""));
    assertTrue(e.getMessage().contains("medianMicros"), e.getMessage());
  }

  @Test
  void nativeRowsCarryTheSpeedupOverJavaAtTheSameThreads() {
    List<ResultRow> rows = List.of(
        conv("java", 1, 50_000, "IM2COL_GEMM"), conv("native", 1, 5000, "DIRECT"),
        conv("native", 2, 2500, "DIRECT"), conv("java", 2, 40_000, "IM2COL_GEMM"));
    String md = ResultTable.markdown(rows);
    String[] lines = md.split("\n");
    assertEquals("### Conv2dBench", lines[0]);
    assertTrue(lines[2].contains("| algorithm |"), lines[2]);
    // order: threads 1 native, threads 1 java, threads 2 native, threads 2 java
    assertEquals("| RESNET18_3X3_64_56 | ResNet-18 layer1 3x3 64->64 @56 | 1 | native | DIRECT | 5.00 ms | 46.2 | 10.0x |",
        lines[4]);
    assertEquals("| RESNET18_3X3_64_56 | ResNet-18 layer1 3x3 64->64 @56 | 1 | java | IM2COL_GEMM | 50.00 ms | 4.62 |  |",
        lines[5]);
    assertTrue(lines[6].endsWith("| 2 | native | DIRECT | 2.50 ms | 92.5 | 16.0x |"), lines[6]);
    assertTrue(lines[7].contains("| 2 | java |"), lines[7]);
  }

  @Test
  void noSpeedupWithoutAJavaTwinAndNoAlgorithmColumnForPooling() {
    ResultRow pool = new ResultRow("Pool2dBench", Pool2dBench.Shape.AVGPOOL7X7_512_7, "native", 1, 12.5, 10, "");
    String md = ResultTable.markdown(List.of(pool));
    assertFalse(md.contains("algorithm"), md);
    assertTrue(md.contains("| 1 | native | 12.5 µs | 2.01 |  |"), md);
  }

  @Test
  void floorsSayWhetherTheyAreMet() {
    List<String> lines = KernelFloors.check(List.of(conv("native", 1, 5000, "DIRECT"), conv("java", 1, 50_000, "")));
    assertTrue(lines.get(0).startsWith("native") && lines.get(0).endsWith("46.2 GFLOP/s — MET"), lines.get(0));
    assertTrue(lines.get(1).startsWith("java") && lines.get(1).endsWith("4.62 GFLOP/s — NOT MET"), lines.get(1));
    // two-thread rows do not count for the one-thread floor
    List<String> none = KernelFloors.check(List.of(conv("native", 2, 1000, "DIRECT")));
    assertTrue(none.get(0).endsWith("not measured"), none.get(0));
  }
}
