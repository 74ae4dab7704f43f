package org.conv4j.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs side-by-side subjects in child JVMs, one per model, as JMH forks one per benchmark: in one JVM the JIT
 * compiles the shared Java kernels for the first model's shapes (the Java backend once ran ResNet-18 ~20% slower
 * after LeNet-5, whose 16-wide GEMM rows had set the loop unrolling; JavaGemm now keeps narrow rows apart), which
 * a server running one model never sees. A child measures what it is given in-process and writes its rows to a
 * file (the {@link #CHILD_OPTION}), which the parent reads back into {@link Measurement}s for one report.
 *
 * <p>The conv4j Java engine is measured in a child of its own ({@link #JAVA_PASS_OPTION}), in alternation with
 * conv4j native: in the JVM of the native and ONNX Runtime runs it slowed both (its compiler threads and
 * allocation): a 3x3 64->64 56x56 layer at 2 threads ran native 0.74-0.81 ms and ORT 1.46-1.58 ms beside it, 0.58
 * and 1.35 ms without; LeNet-5 at 1 thread 52 / 70 us beside it, 31 / 38 without.
 */
final class SideBySideFork {
  static final String CHILD_OPTION = "--child-out";
  /** A child's option: measure conv4j Java beside conv4j native only (ONNX Runtime gives the reference output). */
  static final String JAVA_PASS_OPTION = "--java-pass";

  private SideBySideFork() {}

  /**
   * Measures `subjects` with `engines`: native and ONNX Runtime in one child JVM (`processes` of them in turn, the
   * median process kept per row: {@link #medianProcess}), conv4j Java (when among them) in another beside native,
   * joined into one row per workload and thread count.
   */
  static List<Measurement> measure(List<Subject> subjects, String[] parentArgs, List<Contender> engines,
      int processes, List<String> notes) throws IOException, InterruptedException {
    List<Contender> main = engines.stream().filter(c -> c != Contender.JAVA).toList();
    List<List<Measurement>> runs = new ArrayList<>();
    for (int p = 0; p < processes; p++) runs.add(child(subjects, childArgs(parentArgs, subjects, main, false), notes));
    List<Measurement> rows = medianProcess(runs, notes);
    if (!engines.contains(Contender.JAVA)) return rows;
    return join(rows, child(subjects, childArgs(parentArgs, subjects, engines, true), notes));
  }

  /**
   * One row per workload and thread count from the rows of several processes: the process whose native/ORT time
   * ratio is the median (the lower middle of an even count; rows without both engines go by native's time, else
   * ORT's), so a row's times and ratio come from one process. With more than one process a note lists every
   * process's ratio and medians (ratioAndTimes). Rows keep the order of their first appearance.
   */
  static List<Measurement> medianProcess(List<List<Measurement>> runs, List<String> notes) {
    if (runs.size() == 1) return runs.get(0);
    List<List<Measurement>> byRow = new ArrayList<>();  // the same workload object and threads: one row
    for (List<Measurement> run : runs) {
      for (Measurement m : run) {
        List<Measurement> group = byRow.stream().filter(g -> g.get(0).workload() == m.workload()
            && g.get(0).threads() == m.threads()).findFirst().orElse(null);
        if (group == null) byRow.add(group = new ArrayList<>());
        group.add(m);
      }
    }
    List<Measurement> out = new ArrayList<>();
    for (List<Measurement> group : byRow) {
      List<Measurement> c = new ArrayList<>(group);
      c.sort(Comparator.comparingDouble(SideBySideFork::processKey));
      Measurement pick = c.get((c.size() - 1) / 2);
      out.add(pick);
      List<String> ratios = group.stream().map(SideBySideFork::ratioAndTimes).toList();
      notes.add(pick.workload().chartLabel() + " at " + pick.threads() + " threads: native/ORT per process "
          + String.join(", ", ratios) + " (" + c.size() + " of " + runs.size() + " processes; the row is the median"
          + " one, " + String.format(Locale.ROOT, "%.2f", ratio(pick)) + ")");
    }
    return out;
  }

  /**
   * A process's native/ORT ratio and the two medians it divides, "1.00 (48.03 / 48.09 ms)": a ratio near 1 can be
   * both engines slowed alike (another tenant on the second core), which the times show.
   */
  static String ratioAndTimes(Measurement m) {
    double nat = m.median(Contender.NATIVE), ort = m.median(Contender.ORT), r = ratio(m);
    if (Double.isNaN(r)) return String.format(Locale.ROOT, "%.2f", r);
    boolean micros = Math.max(nat, ort) < 1e6;
    double unit = micros ? 1e3 : 1e6;
    return String.format(Locale.ROOT, micros ? "%.2f (%.1f / %.1f µs)" : "%.2f (%.2f / %.2f ms)", r, nat / unit,
        ort / unit);
  }

  private static double ratio(Measurement m) {
    return m.median(Contender.NATIVE) / m.median(Contender.ORT);
  }

  private static double processKey(Measurement m) {
    double r = ratio(m);
    if (!Double.isNaN(r)) return r;
    double n = m.median(Contender.NATIVE);
    return Double.isNaN(n) ? m.median(Contender.ORT) : n;
  }

  /** Each row with the Java row of its workload and thread count joined in, if there is one. */
  static List<Measurement> join(List<Measurement> rows, List<Measurement> javaRows) {
    List<Measurement> out = new ArrayList<>();
    for (Measurement m : rows) {
      Measurement joined = m;
      for (Measurement j : javaRows) {
        if (j.workload() == m.workload() && j.threads() == m.threads()) joined = m.withJava(j);
      }
      out.add(joined);
    }
    return out;
  }

  /**
   * Runs one child JVM with the given arguments: the parent's JVM flags and class path. The child's progress goes
   * to this process's stderr.
   */
  private static List<Measurement> child(List<Subject> subjects, List<String> args, List<String> notes)
      throws IOException, InterruptedException {
    Path file = Files.createTempFile("side-by-side-", ".tsv");
    try {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(SideBySide.class.getName());
      cmd.addAll(args);
      cmd.add(CHILD_OPTION);
      cmd.add(file.toString());
      Process p = new ProcessBuilder(cmd).inheritIO().start();
      int exit = p.waitFor();
      String names = String.join(",", subjects.stream().map(Subject::name).toList());
      if (exit != 0) notes.add(names + ": the child JVM measuring it exited with " + exit);
      return read(Files.readAllLines(file), subjects, notes);
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /**
   * The parent's arguments without its subject selection, engines and outputs, then this child's: subjects, models
   * (from files) as --models and single layers (made on demand) as --kernels, engines, and whether it is the Java
   * engine's pass.
   */
  static List<String> childArgs(String[] parentArgs, List<Subject> subjects, List<Contender> engines,
      boolean javaPass) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < parentArgs.length; i++) {
      switch (parentArgs[i]) {
        case "--models", "--kernels", "--engines", "--out", "--chart", "--command", CHILD_OPTION -> i++;
        case JAVA_PASS_OPTION -> { }
        default -> out.add(parentArgs[i]);
      }
    }
    out.addAll(List.of("--models", names(subjects, true), "--kernels", names(subjects, false), "--engines",
        String.join(",", engines.stream().map(c -> c.name().toLowerCase(Locale.ROOT)).toList())));
    if (javaPass) out.add(JAVA_PASS_OPTION);
    return out;
  }

  /** The names of the subjects that are (or are not) model files, comma-separated, or "none". */
  private static String names(List<Subject> subjects, boolean files) {
    List<String> names = subjects.stream().filter(s -> (s.file() != null) == files).map(Subject::name).toList();
    return names.isEmpty() ? "none" : String.join(",", names);
  }

  /** The result lines of one subject's rows: one per row, statistic and difference, tab-separated. */
  static List<String> lines(Subject subject, List<Measurement> rows) {
    List<String> lines = new ArrayList<>();
    for (Measurement m : rows) {
      lines.add(String.join("\t", "row", subject.name(), String.valueOf(m.workload().batch()),
          String.valueOf(m.threads()), m.load()));
      for (var e : m.stats().entrySet()) {
        Stats s = e.getValue();
        lines.add(String.join("\t", "stats", e.getKey().name(), stats(s)));
      }
      for (var e : m.relDiff().entrySet()) {
        lines.add(String.join("\t", "diff", e.getKey().name(), Double.toString(e.getValue())));
      }
      if (m.nativeBesideJava() != null) lines.add("beside-java\t" + stats(m.nativeBesideJava()));
    }
    return lines;
  }

  private static String stats(Stats s) {
    return String.join("\t", Double.toString(s.median()), Double.toString(s.p25()), Double.toString(s.p75()),
        String.valueOf(s.samples()));
  }

  private static Stats stats(String[] f, int from) {
    return new Stats(Double.parseDouble(f[from]), Double.parseDouble(f[from + 1]), Double.parseDouble(f[from + 2]),
        Integer.parseInt(f[from + 3]));
  }

  /** The result lines of notes. */
  static List<String> noteLines(List<String> notes) {
    return notes.stream().map(n -> "note\t" + n.replace('\n', ' ').replace('\t', ' ')).toList();
  }

  /** The rows of a child's result file, their workloads looked up among `subjects` by name and batch. */
  static List<Measurement> read(List<String> lines, List<Subject> subjects, List<String> notes) {
    List<Measurement> rows = new ArrayList<>();
    Workload w = null;
    int threads = 0;
    String load = null;
    Stats beside = null;
    Map<Contender, Stats> stats = new EnumMap<>(Contender.class);
    Map<Contender, Double> diffs = new EnumMap<>(Contender.class);
    for (String line : lines) {
      String[] f = line.split("\t", -1);
      switch (f[0]) {
        case "row" -> {
          if (w != null) rows.add(new Measurement(w, threads, stats, diffs, load, beside));
          beside = null;
          w = workload(subjects, f[1], Integer.parseInt(f[2]));
          threads = Integer.parseInt(f[3]);
          load = f[4];
          stats = new EnumMap<>(Contender.class);
          diffs = new EnumMap<>(Contender.class);
        }
        case "stats" -> stats.put(Contender.valueOf(f[1]), stats(f, 2));
        case "beside-java" -> beside = stats(f, 1);
        case "diff" -> diffs.put(Contender.valueOf(f[1]), Double.parseDouble(f[2]));
        case "note" -> notes.add(f[1]);
        default -> throw new IllegalArgumentException("side-by-side child result line of unknown kind: " + line);
      }
    }
    if (w != null) rows.add(new Measurement(w, threads, stats, diffs, load, beside));
    return rows;
  }

  private static Workload workload(List<Subject> subjects, String name, int batch) {
    for (Subject s : subjects) {
      if (!s.name().equals(name)) continue;
      for (Workload w : s.workloads()) if (w.batch() == batch) return w;
    }
    throw new IllegalArgumentException("side-by-side child measured " + name + " batch " + batch
        + ", which is none of the parent's workloads");
  }
}
