package org.conv4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The core performance floors, checked against measured rows: dense 3x3 conv, 64 channels at 56x56 (ResNet-18
 * layer1), one thread: native >= 30 GFLOP/s, Java >= 5 GFLOP/s.
 */
public final class KernelFloors {
  static final BenchShape SHAPE = Conv2dBench.Shape.RESNET18_3X3_64_56;
  static final double NATIVE_FLOOR = 30, JAVA_FLOOR = 5;

  private KernelFloors() {}

  /** One line per backend: measured GFLOP/s against its floor, or that it was not measured. */
  public static List<String> check(List<ResultRow> rows) {
    List<String> lines = new ArrayList<>();
    lines.add(line(rows, "native", NATIVE_FLOOR));
    lines.add(line(rows, "java", JAVA_FLOOR));
    return lines;
  }

  private static String line(List<ResultRow> rows, String backend, double floor) {
    String what = String.format(Locale.ROOT, "%s %s, 1 thread, floor %.0f GFLOP/s: ", backend,
        BenchCatalog.name(SHAPE), floor);
    for (ResultRow r : rows) {
      if (r.shape() == SHAPE && r.backend().equals(backend) && r.threads() == 1) {
        return what + ResultTable.gflops(r.gflops()) + " GFLOP/s — " + (r.gflops() >= floor ? "MET" : "NOT MET");
      }
    }
    return what + "not measured";
  }
}
