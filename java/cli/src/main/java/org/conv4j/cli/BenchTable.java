package org.conv4j.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** The human-readable bench result: one row per model and backend, with native's speedup over Java. */
final class BenchTable {
  private static final String[] HEAD =
      {"model", "backend", "threads", "batch", "runs", "median ms", "p90 ms", "min ms", "images/s", "vs java"};

  private BenchTable() {}

  static void print(List<BenchCommand.Row> rows, PrintStream out) {
    List<String[]> cells = new ArrayList<>();
    cells.add(HEAD);
    for (BenchCommand.Row r : rows) {
      Stats s = r.stats();
      cells.add(new String[] {r.model(), r.backend(), Integer.toString(r.threads()), Integer.toString(r.batch()),
          Integer.toString(s.count()), ms(s.medianMs()), ms(s.p90Ms()), ms(s.minMs()),
          String.format(Locale.ROOT, "%.1f", s.imagesPerSecond(r.batch())), speedup(r, rows)});
    }
    int[] width = new int[HEAD.length];
    for (String[] row : cells) {
      for (int i = 0; i < row.length; i++) width[i] = Math.max(width[i], row[i].length());
    }
    for (String[] row : cells) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.length; i++) {
        if (i > 0) line.append("  ");
        // names left-aligned, numbers right-aligned
        String pad = " ".repeat(width[i] - row[i].length());
        line.append(i < 2 ? row[i] + pad : pad + row[i]);
      }
      out.println(line.toString().stripTrailing());
    }
  }

  /** Java's median over this row's median for a native row whose model also ran on Java; "" otherwise. */
  private static String speedup(BenchCommand.Row r, List<BenchCommand.Row> rows) {
    if (!r.backend().equals("native")) return "";
    for (BenchCommand.Row j : rows) {
      if (j.backend().equals("java") && j.model().equals(r.model()) && j.batch() == r.batch()) {
        return String.format(Locale.ROOT, "%.1fx", j.stats().medianMs() / r.stats().medianMs());
      }
    }
    return "";
  }

  private static String ms(double v) {
    return String.format(Locale.ROOT, v < 10 ? "%.3f" : v < 1000 ? "%.2f" : "%.0f", v);
  }
}
