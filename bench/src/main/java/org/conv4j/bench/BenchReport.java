package org.conv4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.backend.Plan;
import org.conv4j.backend.jni.NativeBackend;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the kernel benchmarks through JMH and writes a Markdown report (default bench/RESULTS-kernels.md): machine,
 * settings, then per family shape, backend, threads, median single-run time, GFLOP/s and the native/java speedup,
 * and the core floors. Usage:
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar org.conv4j.bench.BenchReport [--quick] [--families Conv2dBench,...]
 *     [--backends native,java] [--threads 1,2] [--out FILE] [--json FILE]
 * </pre>
 */
public final class BenchReport {
  static final String USAGE = "usage: java -cp bench/target/benchmarks.jar org.conv4j.bench.BenchReport [--quick]"
      + " [--families " + String.join(",", BenchCatalog.families()) + "] [--backends native,java]"
      + " [--threads 1,2] [--out FILE] [--json FILE]";

  /** Parsed command line. */
  record Settings(
      boolean quick, List<String> families, List<String> backends, List<String> threads, Path out, Path json) {
    int warmupIterations() { return quick ? 1 : 3; }
    int measurementIterations() { return quick ? 3 : 5; }
    int iterationMillis() { return quick ? 500 : 1000; }

    String describe() {
      return String.format(Locale.ROOT, "JMH 1 fork, warmup %d x %d ms, measurement %d x %d ms, sample mode "
          + "(median of single-run times), batch 1, one JMH thread (kernel threads per the table)",
          warmupIterations(), iterationMillis(), measurementIterations(), iterationMillis());
    }

    /** JMH include regex for the chosen families. */
    String includeRegex() {
      return "^org\\.conv4j\\.bench\\.(" + String.join("|", families) + ")\\.run$";
    }
  }

  private BenchReport() {}

  public static void main(String[] args) throws IOException, RunnerException {
    Settings s;
    try {
      s = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
      System.exit(2);
      return;
    }
    List<String> notes = new ArrayList<>();
    List<String> backends = new ArrayList<>(s.backends());
    String why = NativeBackend.unavailableReason();
    if (why != null && backends.remove("native")) notes.add("native not measured: " + why);

    MachineInfo machine = MachineInfo.probe();
    String loadBefore = MachineInfo.loadAverage();
    ChainedOptionsBuilder options = new OptionsBuilder()
        .include(s.includeRegex())
        .param("backend", backends.toArray(String[]::new))
        .param("threads", s.threads().toArray(String[]::new))
        .forks(1)
        .warmupIterations(s.warmupIterations())
        .warmupTime(TimeValue.milliseconds(s.iterationMillis()))
        .measurementIterations(s.measurementIterations())
        .measurementTime(TimeValue.milliseconds(s.iterationMillis()))
        .mode(Mode.SampleTime)
        .timeUnit(TimeUnit.MICROSECONDS)
        .shouldFailOnError(false);
    if (s.json() != null) options.result(s.json().toString()).resultFormat(ResultFormatType.JSON);
    Collection<RunResult> results = new Runner(options.build()).run();
    String loadAfter = MachineInfo.loadAverage();

    List<ResultRow> rows = new ArrayList<>();
    for (RunResult rr : results) rows.add(row(rr));
    notes.addAll(missing(s, backends, rows));

    String command = "java -cp bench/target/benchmarks.jar " + BenchReport.class.getName()
        + (args.length == 0 ? "" : " " + String.join(" ", args));
    String md = render(command, machine, s.describe(), loadBefore, loadAfter, rows, notes);
    Path out = s.out();
    if (out.getParent() != null) Files.createDirectories(out.getParent());
    Files.writeString(out, md);
    System.out.println();
    System.out.println(md);
    System.out.println("written to " + out.toAbsolutePath());
  }

  static Settings parse(String[] args) {
    boolean quick = false;
    List<String> families = BenchCatalog.families();
    List<String> backends = List.of("native", "java");
    List<String> threads = List.of("1", "2");
    Path out = Files.isRegularFile(Path.of("bench", "pom.xml"))
        ? Path.of("bench", "RESULTS-kernels.md") : Path.of("RESULTS-kernels.md");
    Path json = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--quick")) {
        quick = true;
        continue;
      }
      if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
      String v = args[++i];
      switch (a) {
        case "--families":
          families = list(a, v);
          for (String f : families) BenchCatalog.shapes(f); // rejects unknown families
          break;
        case "--backends":
          backends = list(a, v);
          for (String b : backends) {
            if (!b.equals("native") && !b.equals("java")) {
              throw new IllegalArgumentException("--backends entries must be native or java, got \"" + b + "\"");
            }
          }
          break;
        case "--threads":
          threads = list(a, v);
          for (String t : threads) {
            if (!t.matches("[1-9][0-9]{0,3}")) {
              throw new IllegalArgumentException("--threads entries must be integers >= 1, got \"" + t + "\"");
            }
          }
          break;
        case "--out":
          out = Path.of(v);
          break;
        case "--json":
          json = Path.of(v);
          break;
        default:
          throw new IllegalArgumentException("unknown option \"" + a + "\"");
      }
    }
    return new Settings(quick, families, backends, threads, out, json);
  }

  private static List<String> list(String option, String value) {
    List<String> items = Arrays.stream(value.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    if (items.isEmpty()) {
      throw new IllegalArgumentException(option + " needs a comma-separated list, got \"" + value + "\"");
    }
    return items;
  }

  private static ResultRow row(RunResult rr) {
    String benchmark = rr.getParams().getBenchmark(); // org.conv4j.bench.Conv2dBench.run
    String[] parts = benchmark.split("\\.");
    String family = parts[parts.length - 2];
    BenchShape shape = BenchCatalog.shape(family, rr.getParams().getParam("shape"));
    String backend = rr.getParams().getParam("backend");
    int threads = Integer.parseInt(rr.getParams().getParam("threads"));
    String unit = rr.getPrimaryResult().getScoreUnit();
    if (!unit.equals("us/op")) throw new IllegalStateException("expected scores in us/op, got " + unit);
    double median = rr.getPrimaryResult().getStatistics().getPercentile(50);
    long n = rr.getPrimaryResult().getStatistics().getN();
    return new ResultRow(family, shape, backend, threads, median, n, algorithm(shape, backend, threads));
  }

  /**
   * The conv2d algorithm the plan picks for this configuration (AUTO's choice), or "" for other kernels. Asked
   * after the measurements, in this JVM; a failure here marks the cell instead of losing the whole report.
   */
  private static String algorithm(BenchShape shape, String backend, int threads) {
    if (!(shape instanceof ConvShape)) return "";
    try (Plan p = shape.prepare(BenchFixtures.backend(backend, threads))) {
      return ((Conv2dPlan) p).algorithm().name();
    } catch (RuntimeException e) {
      System.err.println("could not ask the algorithm of " + shape + " on " + backend + ": " + e);
      return "?";
    }
  }

  /** Configurations that were asked for but produced no result (their benchmark failed; JMH's log says why). */
  static List<String> missing(Settings s, List<String> backends, List<ResultRow> rows) {
    List<String> notes = new ArrayList<>();
    for (String family : s.families()) {
      for (BenchShape shape : BenchCatalog.shapes(family)) {
        for (String backend : backends) {
          for (String t : s.threads()) {
            boolean found = rows.stream().anyMatch(r -> r.family().equals(family) && r.shape() == shape
                && r.backend().equals(backend) && r.threads() == Integer.parseInt(t));
            if (!found) {
              notes.add("not measured (the benchmark failed, see the JMH log): " + family + " "
                  + BenchCatalog.name(shape) + " " + backend + " threads=" + t);
            }
          }
        }
      }
    }
    return notes;
  }

  static String render(String command, MachineInfo m, String settings, String loadBefore, String loadAfter,
      List<ResultRow> rows, List<String> notes) {
    StringBuilder sb = new StringBuilder();
    sb.append("# conv4j kernel benchmarks\n\n");
    sb.append("- command: `").append(command).append("`\n");
    sb.append("- date: ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append('\n');
    sb.append("- CPU: ").append(m.cpu()).append(", ").append(m.cores()).append(" logical cores\n");
    sb.append("- ").append(m.isa()).append('\n');
    sb.append("- JVM: ").append(m.jvm()).append("; OS: ").append(m.os()).append('\n');
    sb.append("- settings: ").append(settings).append('\n');
    sb.append("- load average (1/5/15 min) before: ").append(loadBefore).append(", after: ").append(loadAfter)
        .append('\n');
    sb.append("- GFLOP/s = FLOPs / median time; conv and linear FLOPs = 2 x multiply-adds, pooling = window "
        + "elements read; native/java = java median / native median at the same threads\n\n");
    sb.append("## Floors (dense 3x3 conv, 64 ch, 56x56, one thread)\n\n");
    for (String line : KernelFloors.check(rows)) sb.append("- ").append(line).append('\n');
    sb.append('\n');
    if (!notes.isEmpty()) {
      sb.append("## Notes\n\n");
      for (String n : notes) sb.append("- ").append(n).append('\n');
      sb.append('\n');
    }
    sb.append("## Results\n\n");
    sb.append(ResultTable.markdown(rows));
    return sb.toString();
  }
}
