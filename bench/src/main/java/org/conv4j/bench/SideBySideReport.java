package org.conv4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders the side-by-side measurements as bench/RESULTS.md: how they were made, the targets with PASS / MISS and
 * by how much, then one table per section (per row: each engine's median with its spread, images/s, GFLOP/s, the
 * ratios to ONNX Runtime, the output agreement and the row's targets).
 */
final class SideBySideReport {
  /** What the report says about how and where it was measured. */
  record Header(String command, String date, MachineInfo machine, String loadBefore, String loadAfter,
      List<String> settings) {}

  private SideBySideReport() {}

  static String render(Header h, List<Measurement> rows, List<String> notes, String chartFile) {
    StringBuilder sb = new StringBuilder();
    sb.append("# conv4j vs ONNX Runtime, side by side\n\n");
    sb.append("- command: `").append(h.command()).append("`\n");
    sb.append("- date: ").append(h.date()).append('\n');
    sb.append("- CPU: ").append(h.machine().cpu()).append(", ").append(h.machine().cores())
        .append(" logical cores\n");
    sb.append("- ").append(h.machine().isa()).append('\n');
    sb.append("- JVM: ").append(h.machine().jvm()).append("; OS: ").append(h.machine().os()).append('\n');
    sb.append("- load average (1/5/15 min) before: ").append(h.loadBefore()).append(", after: ")
        .append(h.loadAfter()).append(" (the machine is shared; the `load` column is the 1-min average at the end"
            + " of each row)\n");
    for (String s : h.settings()) sb.append("- ").append(s).append('\n');
    sb.append('\n');
    if (chartFile != null) {
      sb.append("![conv4j native / ONNX Runtime time](").append(chartFile).append(")\n\n");
    }
    sb.append("## Targets\n\n");
    sb.append(targets(rows)).append('\n');
    for (Workload.Section section : Workload.Section.values()) {
      List<Measurement> in = new ArrayList<>();
      for (Measurement m : rows) if (m.workload().section() == section) in.add(m);
      if (in.isEmpty()) continue;
      sb.append("## ").append(section.title).append("\n\n").append(table(in)).append('\n');
    }
    sb.append("Times are medians of single runs (± half the interquartile range, relative to the median). "
        + "images/s = batch / median time. GFLOP/s = FLOPs of the direct computation (2 x multiply-adds of every "
        + "convolution and linear layer; pooling: window elements read) / median time. native/ORT and Java/ORT = "
        + "conv4j median / ONNX Runtime median (below 1: conv4j is faster). Δ = max |conv4j output - ONNX Runtime "
        + "output| / max |ONNX Runtime output|.\n");
    if (!notes.isEmpty()) {
      sb.append("\n## Notes\n\n");
      for (String n : notes) sb.append("- ").append(n).append('\n');
    }
    return sb.toString();
  }

  /** Every (row, target) pair with a bound at the row's thread count: value, bound, verdict and margin. */
  static String targets(List<Measurement> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append("| workload | threads | target | measured | verdict | margin |\n");
    sb.append("|---|--:|---|--:|---|--:|\n");
    int pass = 0, total = 0;
    for (Measurement m : rows) {
      for (Target t : m.workload().targets()) {
        String verdict = t.verdict(m);
        if (verdict.equals("n/a")) continue;
        total++;
        if (verdict.equals("PASS")) pass++;
        sb.append("| ").append(m.workload().chartLabel()).append(" | ").append(m.threads())
            .append(" | ").append(t.describe(m.threads()))
            .append(" | ").append(Target.format(t.value(m)))
            .append(" | ").append(verdict.equals("PASS") ? "PASS" : "**MISS**")
            .append(" | ").append(margin(t, m)).append(" |\n");
      }
    }
    sb.append("\n").append(pass).append(" of ").append(total).append(" targets met. margin = distance from the bound "
        + "relative to the bound: positive = met with that much room, negative = missed by that much.\n");
    return sb.toString();
  }

  /**
   * How far the value is from the bound, as a percentage of the bound: positive = met with room, negative = missed
   * by that much.
   */
  static String margin(Target t, Measurement m) {
    double v = t.value(m), b = t.bound(m.threads());
    double room = t.metric().atLeast ? v / b - 1 : 1 - v / b;
    return String.format(Locale.ROOT, "%+.0f%%", room * 100);
  }

  static String table(List<Measurement> rows) {
    StringBuilder sb = new StringBuilder();
    sb.append("| workload | batch | threads | conv4j native | conv4j Java | ONNX Runtime | native img/s | ORT img/s"
        + " | native GFLOP/s | ORT GFLOP/s | native/ORT | Java/ORT | Δ native | Δ Java | targets | load |\n");
    sb.append("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|\n");
    for (Measurement m : rows) {
      Workload w = m.workload();
      sb.append("| ").append(w.label())
          .append(" | ").append(w.batch())
          .append(" | ").append(m.threads())
          .append(" | ").append(time(m, Contender.NATIVE))
          .append(" | ").append(time(m, Contender.JAVA))
          .append(" | ").append(time(m, Contender.ORT))
          .append(" | ").append(Target.format(m.imagesPerSecond(Contender.NATIVE)))
          .append(" | ").append(Target.format(m.imagesPerSecond(Contender.ORT)))
          .append(" | ").append(Target.format(m.gflops(Contender.NATIVE)))
          .append(" | ").append(Target.format(m.gflops(Contender.ORT)))
          .append(" | ").append(Target.format(m.median(Contender.NATIVE) / m.median(Contender.ORT)))
          .append(" | ").append(Target.format(m.median(Contender.JAVA) / m.median(Contender.ORT)))
          .append(" | ").append(diff(m, Contender.NATIVE))
          .append(" | ").append(diff(m, Contender.JAVA))
          .append(" | ").append(rowTargets(m))
          .append(" | ").append(m.load())
          .append(" |\n");
    }
    return sb.toString();
  }

  private static String rowTargets(Measurement m) {
    List<String> parts = new ArrayList<>();
    for (Target t : m.workload().targets()) {
      String verdict = t.verdict(m);
      if (verdict.equals("n/a")) continue;
      parts.add(t.describe(m.threads()) + ": " + Target.format(t.value(m)) + " "
          + (verdict.equals("PASS") ? "PASS" : "**MISS**"));
    }
    return String.join("; ", parts);
  }

  static String time(Measurement m, Contender c) {
    Stats s = m.stats().get(c);
    if (s == null) return "—";
    double ms = s.median() / 1e6;
    String t = ms < 1 ? String.format(Locale.ROOT, "%.1f µs", ms * 1e3)
        : String.format(Locale.ROOT, ms < 100 ? "%.2f ms" : "%.1f ms", ms);
    return t + String.format(Locale.ROOT, " ±%.0f%%", s.spread() * 50);
  }

  private static String diff(Measurement m, Contender c) {
    Double d = m.relDiff().get(c);
    return d == null ? "—" : String.format(Locale.ROOT, "%.1e", d);
  }
}
