package org.conv4j.bench;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Renders measured rows as one Markdown table per family (rows by shape, threads, native first), with the
 * native/java speedup on native rows and the chosen algorithm where a family has one.
 */
public final class ResultTable {
  private ResultTable() {}

  public static String markdown(List<ResultRow> rows) {
    StringBuilder sb = new StringBuilder();
    for (String family : BenchCatalog.families()) {
      List<ResultRow> fam = new ArrayList<>();
      for (ResultRow r : rows) if (r.family().equals(family)) fam.add(r);
      if (fam.isEmpty()) continue;
      List<? extends BenchShape> order = BenchCatalog.shapes(family);
      fam.sort(Comparator.<ResultRow>comparingInt(r -> order.indexOf(r.shape()))
          .thenComparingInt(ResultRow::threads)
          .thenComparing(r -> !r.backend().equals("native")));
      boolean algo = fam.stream().anyMatch(r -> !r.algorithm().isEmpty());
      sb.append("### ").append(family).append("\n\n");
      sb.append("| shape | layer | threads | backend |").append(algo ? " algorithm |" : "")
          .append(" median | GFLOP/s | native/java |\n");
      sb.append("|---|---|--:|---|").append(algo ? "---|" : "").append("--:|--:|--:|\n");
      for (ResultRow r : fam) {
        sb.append("| ").append(BenchCatalog.name(r.shape()))
            .append(" | ").append(r.shape().layer())
            .append(" | ").append(r.threads())
            .append(" | ").append(r.backend())
            .append(algo ? " | " + r.algorithm() : "")
            .append(" | ").append(time(r.medianMicros()))
            .append(" | ").append(gflops(r.gflops()))
            .append(" | ").append(speedup(r, fam))
            .append(" |\n");
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** java median / native median for a native row whose java twin (same shape and threads) was measured. */
  static String speedup(ResultRow r, List<ResultRow> family) {
    if (!r.backend().equals("native")) return "";
    for (ResultRow o : family) {
      if (o.backend().equals("java") && o.shape() == r.shape() && o.threads() == r.threads()) {
        return String.format(Locale.ROOT, "%.1fx", o.medianMicros() / r.medianMicros());
      }
    }
    return "";
  }

  static String time(double micros) {
    return micros < 1000
        ? String.format(Locale.ROOT, "%.1f µs", micros)
        : String.format(Locale.ROOT, "%.2f ms", micros / 1000);
  }

  static String gflops(double g) {
    return String.format(Locale.ROOT, g < 10 ? "%.2f" : "%.1f", g);
  }
}
