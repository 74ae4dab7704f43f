package org.conv4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.conv4j.backend.Backend;
import org.conv4j.backend.Backends;
import org.conv4j.backend.jni.NativeBackend;
import org.conv4j.onnx.OnnxModel;

/**
 * conv4j (native and Java backends) against ONNX Runtime Java on the same ONNX models, measured in alternation in
 * one process per model (see {@link SideBySideFork}), written to bench/RESULTS.md and bench/results-ratio.png.
 * Whole models come from bench/models (see bench/scripts/export_models.py), single layers are one-node ONNX models
 * made here. Run it through bench/run-side-by-side.sh, which builds, exports missing models and sets the class
 * path; options are in {@link SideBySideOptions#USAGE}.
 */
public final class SideBySide {
  private SideBySide() {}

  public static void main(String[] args) throws Exception {
    SideBySideOptions o;
    try {
      o = SideBySideOptions.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(SideBySideOptions.USAGE);
      System.exit(2);
      return;
    }
    List<Subject> subjects = new ArrayList<>(ZooModels.load(o.modelsDir(), o.models(), o.batches()));
    subjects.addAll(kernels(o.kernels()));
    List<String> notes = new ArrayList<>();
    List<Contender> engines = new ArrayList<>(o.engines());
    String why = NativeBackend.unavailableReason();
    if (why != null && engines.remove(Contender.NATIVE)) notes.add("conv4j native not measured: " + why);

    MachineInfo machine = MachineInfo.probe();
    String loadBefore = MachineInfo.loadAverage();
    String date = ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME);
    Alternation alternation = new Alternation(o.schedule(), System::nanoTime);
    List<Measurement> rows = new ArrayList<>();
    if (o.childOut() != null) {  // a child of a forking run: measure here, hand the rows back
      List<String> lines = new ArrayList<>();
      for (Subject s : subjects) {
        lines.addAll(SideBySideFork.lines(s, measure(s, o.threads(), engines, alternation, o.javaEverywhere(),
            o.javaPass(), notes)));
      }
      lines.addAll(SideBySideFork.noteLines(notes));
      Files.write(o.childOut(), lines);
      return;
    }
    if (!o.fork()) {
      for (Subject s : subjects) {
        rows.addAll(measure(s, o.threads(), engines, alternation, o.javaEverywhere(), false, notes));
      }
    } else {  // each model in a JVM of its own, the single layers in one more; conv4j Java in JVMs of its own
      for (Subject s : subjects) {
        if (s.file() != null) rows.addAll(SideBySideFork.measure(List.of(s), args, engines, o.processes(), notes));
      }
      List<Subject> layers = subjects.stream().filter(s -> s.file() == null).toList();
      if (!layers.isEmpty()) rows.addAll(SideBySideFork.measure(layers, args, engines, o.processes(), notes));
    }
    String loadAfter = MachineInfo.loadAverage();

    List<String> settings = new ArrayList<>(List.of(
        "engines: conv4j native (C++ AVX2/FMA + OpenBLAS), conv4j Java (pure-Java backend), "
            + OrtEngine.describeSettings(),
        "conv4j: OnnxModel.load of the same ONNX bytes, prepared once per thread count (default options: BN folding,"
            + " activation/residual fusion, AUTO conv algorithm), Backend.setThreads(threads); a run is "
            + "PreparedModel.run(input, output) into a preallocated tensor",
        "measurement: " + o.schedule().describe() + "; rows run one after the other" + (o.fork()
            ? "; conv4j native and ONNX Runtime alternate in a JVM per model and one more for the single layers (a"
            + " JIT warmed on one model's shapes would otherwise serve the next); conv4j Java alternates with conv4j"
            + " native in JVMs of their own (beside the others it slowed both), its Java/native ratio is to that"
            + " native, its Java/ORT across the two JVMs" + (o.processes() > 1 ? "; the native and ONNX Runtime JVMs"
            + " run " + o.processes() + " times each (ratios move from process to process on this machine): a row"
            + " is the process whose native/ORT ratio is the median, the notes list every process's ratio and the two"
            + " medians it divides" : "")
            : "; each row's engines alternate, all in one JVM")
            + "; input uniform in [-1, 1), same for every engine",
        "threads: " + o.threads() + "; batches (models): " + o.batches() + "; conv4j Java runs "
            + (o.javaEverywhere() ? "every row" : "batch-1 rows and the rows of a Java target (ResNet-18 b8) only")));
    String commit = System.getProperty("conv4j.commit");
    if (commit != null) settings.add(0, "conv4j commit: " + commit + " (this checkout, built by the command)");
    SideBySideReport.Header header = new SideBySideReport.Header(o.command(), date, machine, loadBefore, loadAfter,
        settings);
    Path chartRel = o.out().toAbsolutePath().getParent().relativize(o.chart().toAbsolutePath());
    if (!rows.isEmpty()) {
      RatioChart.write(rows, machine.cpu() + ", " + date.substring(0, 10), o.chart());
    }
    String md = SideBySideReport.render(header, rows, notes, rows.isEmpty() ? null : chartRel.toString());
    if (o.out().getParent() != null) Files.createDirectories(o.out().getParent());
    Files.writeString(o.out(), md);
    System.out.println(md);
    System.out.println("written to " + o.out().toAbsolutePath() + " and " + o.chart().toAbsolutePath());
  }

  private static List<Subject> kernels(List<String> names) {
    List<Subject> all = SideBySideKernels.all();
    if (names.equals(List.of("all"))) return all;
    List<Subject> chosen = new ArrayList<>();
    for (String n : names) {
      Subject found = all.stream().filter(s -> s.name().equals(n)).findFirst().orElseThrow(() ->
          new IllegalArgumentException("--kernels entry \"" + n + "\" is not one of " + all.stream()
              .map(Subject::name).toList()));
      chosen.add(found);
    }
    return chosen;
  }

  /**
   * Every workload of one model at every thread count; a failing engine is noted and left out of its rows. The Java
   * engine's pass measures only the rows conv4j Java runs, and times Java and native (ORT's output is the reference).
   */
  static List<Measurement> measure(Subject s, List<Integer> threadCounts, List<Contender> engines,
      Alternation alternation, boolean javaEverywhere, boolean javaPass, List<String> notes) throws IOException {
    List<Measurement> rows = new ArrayList<>();
    OnnxModel onnx = null;
    if (engines.contains(Contender.NATIVE) || engines.contains(Contender.JAVA)) {
      try {
        onnx = s.file() != null ? OnnxModel.load(s.file()) : OnnxModel.load(s.bytes(), s.name());
      } catch (IOException | RuntimeException e) {
        notes.add(s.name() + ": conv4j could not load the model: " + e.getMessage());
      }
    }
    for (int threads : threadCounts) {
      Map<Contender, Engine> loaded = new EnumMap<>(Contender.class);
      try {
        for (Contender c : engines) {
          try {
            Engine e = open(c, s, onnx, threads);
            if (e != null) loaded.put(c, e);
          } catch (Exception e) {
            notes.add(s.name() + ", " + threads + " threads: " + c.label + " failed to prepare: " + e);
          }
        }
        if (!loaded.containsKey(Contender.ORT)) continue;
        for (Workload w : s.workloads()) {
          if (javaPass && !javaMeasures(w, javaEverywhere)) continue;
          Measurement m = measure(w, threads, loaded, alternation, javaEverywhere, javaPass, notes);
          if (m != null) {
            rows.add(m);
            System.err.println(progress(m));
          }
        }
      } finally {
        for (Engine e : loaded.values()) {
          try {
            e.close();
          } catch (Exception ex) {
            notes.add(s.name() + ": closing an engine failed: " + ex);
          }
        }
      }
    }
    return rows;
  }

  private static Engine open(Contender c, Subject s, OnnxModel onnx, int threads) throws Exception {
    switch (c) {
      case ORT:
        return new OrtEngine(s, threads);
      case NATIVE:
      case JAVA:
        if (onnx == null) return null;
        Backend b = Backends.get(c == Contender.NATIVE ? "native" : "java");
        b.setThreads(threads);
        return new Conv4jEngine(onnx, b, s.workloads().get(0).perImage());
      default:
        throw new AssertionError(c);
    }
  }

  /**
   * Whether conv4j Java runs this workload: at batch 1, and at larger batches only where a target needs it (Java
   * on VGG-16 at batch 8 alone would take minutes per round), unless asked to everywhere.
   */
  static boolean javaMeasures(Workload w, boolean everywhere) {
    return everywhere || w.batch() == 1 || w.target(Target.Metric.JAVA_TIME_VS_NATIVE) != null;
  }

  private static Measurement measure(Workload w, int threads, Map<Contender, Engine> engines,
      Alternation alternation, boolean javaEverywhere, boolean javaPass, List<String> notes) {
    int[] shape = w.inputShape();
    float[] x = BenchFixtures.random(Math.toIntExact(org.conv4j.Tensor.numel(shape)), 1);
    Map<Contender, Engine.Bound> bound = new LinkedHashMap<>();
    String where = w.chartLabel() + ", " + threads + " threads";
    try {
      for (var e : engines.entrySet()) {
        if (e.getKey() == Contender.JAVA && !javaMeasures(w, javaEverywhere)) continue;
        try {
          bound.put(e.getKey(), e.getValue().bind(x, shape));
        } catch (Exception ex) {
          notes.add(where + ": " + e.getKey().label + " failed to bind the input: " + ex);
        }
      }
      if (!bound.containsKey(Contender.ORT)) return null;
      Map<Contender, Double> diffs = new EnumMap<>(Contender.class);
      float[] ref = bound.get(Contender.ORT).output();
      for (var b : List.copyOf(bound.entrySet())) {
        if (b.getKey() == Contender.ORT) continue;
        try {
          double d = relativeDifference(b.getValue().output(), ref);
          if (!javaPass || b.getKey() == Contender.JAVA) diffs.put(b.getKey(), d);
        } catch (Exception ex) {
          notes.add(where + ": " + b.getKey().label + " failed to run: " + ex);
          bound.remove(b.getKey());
        }
      }
      if (javaPass && !bound.containsKey(Contender.JAVA)) return null;
      List<Contender> order = new ArrayList<>(bound.keySet());
      if (javaPass) order.remove(Contender.ORT);  // its output was the reference; its runs are the other pass's
      List<Alternation.Run> runs = new ArrayList<>();
      for (Contender c : order) runs.add(bound.get(c));
      List<long[]> samples = alternation.measure(runs);
      Map<Contender, Stats> stats = new EnumMap<>(Contender.class);
      for (int i = 0; i < order.size(); i++) stats.put(order.get(i), Stats.of(samples.get(i)));
      Stats beside = javaPass ? stats.remove(Contender.NATIVE) : null;
      return new Measurement(w, threads, stats, diffs, MachineInfo.loadAverage().split(" ")[0], beside);
    } catch (Exception ex) {
      notes.add(where + ": not measured: " + ex);
      return null;
    } finally {
      for (Engine.Bound b : bound.values()) {
        try {
          b.close();
        } catch (Exception ignored) {
          // closing a bound input only frees its tensor
        }
      }
    }
  }

  /** max |a - ref| / max |ref| (Infinity when the lengths differ: the outputs are not comparable). */
  static double relativeDifference(float[] a, float[] ref) {
    if (a.length != ref.length) return Double.POSITIVE_INFINITY;
    double diff = 0, scale = 0;
    for (int i = 0; i < a.length; i++) {
      diff = Math.max(diff, Math.abs((double) a[i] - ref[i]));
      scale = Math.max(scale, Math.abs((double) ref[i]));
    }
    if (Double.isNaN(diff)) return Double.NaN;
    return diff / Math.max(scale, Double.MIN_NORMAL);
  }

  private static String progress(Measurement m) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-28s b%d t%d:", m.workload().chartLabel(),
        m.workload().batch(), m.threads()));
    for (var e : m.stats().entrySet()) {
      sb.append(String.format(Locale.ROOT, "  %s %.3f ms (n=%d)", e.getKey().name().toLowerCase(Locale.ROOT),
          e.getValue().median() / 1e6, e.getValue().samples()));
    }
    if (m.nativeBesideJava() != null) {
      sb.append(String.format(Locale.ROOT, "  native %.3f ms (n=%d)  java/native %.2f", m.nativeBesideJava().median()
          / 1e6, m.nativeBesideJava().samples(), m.javaOverNative()));
    } else {
      sb.append(String.format(Locale.ROOT, "  native/ORT %.2f", m.median(Contender.NATIVE) / m.median(Contender.ORT)));
    }
    sb.append("  load ").append(m.load());
    return sb.toString();
  }
}
