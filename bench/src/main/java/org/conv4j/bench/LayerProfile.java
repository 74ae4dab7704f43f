package org.conv4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.backend.Backends;
import org.conv4j.graph.PreparedModel;
import org.conv4j.onnx.OnnxModel;

/**
 * Where the time goes, per layer: one zoo model run by conv4j native (every kernel timed by a
 * {@link ProfilingBackend}) and by ONNX Runtime with its profiler on, both on the same file, then the convolutions
 * joined by shape (input, weight, output) so that each layer's two times stand side by side. Writes
 * bench/RESULTS-profile.md. Not alternated and not a benchmark of record: the side-by-side report is; this says
 * which layers make the difference. Usage:
 *
 * <pre>
 * LayerProfile [--models resnet18,mobilenet_v2] [--threads 1] [--batch 1] [--runs 20] [--models-dir bench/models]
 *     [--out bench/RESULTS-profile.md]
 * </pre>
 */
public final class LayerProfile {
  private static final Pattern FIELD = Pattern.compile("\"(\\w+)\"\\s*:\\s*(?:\"([^\"]*)\"|(-?\\d+))");
  private static final Pattern SHAPE = Pattern.compile("\\{\"float\"\\s*:\\s*\\[([0-9, ]*)\\]\\}");
  private static final Pattern IN_SHAPES = Pattern.compile("\"input_type_shape\"\\s*:\\s*\\[(.*?\\})\\]");
  private static final Pattern OUT_SHAPES = Pattern.compile("\"output_type_shape\"\\s*:\\s*\\[(.*?\\})\\]");

  private LayerProfile() {}

  public static void main(String[] args) throws Exception {
    List<String> models = List.of("resnet18", "mobilenet_v2");
    int threads = 1, batch = 1, runs = 20;
    String backend = "native";
    Path dir = Path.of("bench", "models"), out = Path.of("bench", "RESULTS-profile.md");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--models": models = List.of(args[i + 1].split(",")); break;
        case "--threads": threads = Integer.parseInt(args[i + 1]); break;
        case "--batch": batch = Integer.parseInt(args[i + 1]); break;
        case "--runs": runs = Integer.parseInt(args[i + 1]); break;
        case "--backend": backend = args[i + 1]; break;
        case "--models-dir": dir = Path.of(args[i + 1]); break;
        case "--out": out = Path.of(args[i + 1]); break;
        default: throw new IllegalArgumentException("unknown option \"" + args[i] + "\"");
      }
    }
    StringBuilder md = new StringBuilder("# Per-layer profile: conv4j " + backend + " vs ONNX Runtime\n\n");
    MachineInfo m = MachineInfo.probe();
    md.append("- command: `bench/run-side-by-side.sh --profile ").append(String.join(" ", args)).append("`\n");
    md.append("- date: ").append(ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append('\n');
    md.append("- CPU: ").append(m.cpu()).append("; ").append(m.isa()).append("; load average ")
        .append(MachineInfo.loadAverage()).append('\n');
    md.append("- ").append(threads).append(" thread(s), batch ").append(batch).append(", ").append(runs)
        .append(" runs after >= 5 warm-up runs and >= 2 s; times are per run (mean over the runs). conv4j: each"
            + " kernel plan timed around its run (\"outside kernels\" = graph steps without a backend kernel +"
            + " overhead); ONNX Runtime: its profiler's node times. Layers are joined by input / weight / output"
            + " shape.\n\n");
    for (String name : models) {
      Subject s = ZooModels.load(dir, List.of(name), List.of(batch)).get(0);
      md.append(profile(s, Backends.get(backend), threads, batch, runs)).append('\n');
    }
    if (out.getParent() != null) Files.createDirectories(out.getParent());
    Files.writeString(out, md);
    System.out.println(md);
  }

  static String profile(Subject s, Backend backend, int threads, int batch, int runs) throws Exception {
    Workload w = s.workloads().get(0);
    int[] shape = w.inputShape();
    float[] x = BenchFixtures.random(Tensor.numel(shape), 1);
    // conv4j, every kernel timed
    ProfilingBackend pb = new ProfilingBackend(backend);
    pb.setThreads(threads);
    double conv4jTotal;
    try (PreparedModel pm = OnnxModel.load(s.file()).prepare(pb, shape)) {
      Tensor in = Tensor.of(x, shape), outT = Tensor.zeros(pm.outputShape(0));
      warmUp(() -> pm.run(in, outT));
      pb.reset();
      long t0 = System.nanoTime();
      for (int i = 0; i < runs; i++) pm.run(in, outT);
      conv4jTotal = (System.nanoTime() - t0) / 1e6 / runs;
    }
    Map<String, double[]> conv4j = new LinkedHashMap<>(); // key -> {ms per run, count per run}
    Map<String, String> conv4jAlgo = new LinkedHashMap<>();
    for (var e : pb.tallies().entrySet()) {
      String k = e.getKey();
      String joinKey = k.startsWith("Conv ") ? k.substring(k.indexOf(" in ") + 1) : k;
      if (k.startsWith("Conv ")) conv4jAlgo.merge(joinKey, k.split(" ")[1], (a, b) -> a.equals(b) ? a : a + "+" + b);
      double[] v = conv4j.computeIfAbsent(joinKey, q -> new double[2]);
      v[0] += e.getValue().nanos.sum() / 1e6 / runs;
      v[1] += (double) e.getValue().calls.sum() / runs;
    }
    // ONNX Runtime with its profiler
    Map<String, double[]> ort = new LinkedHashMap<>();
    Map<String, String> ortOp = new LinkedHashMap<>();
    double ortTotal;
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    Path prefix = Files.createTempDirectory("ort-profile").resolve("p");
    try (OrtSession.SessionOptions o = OrtEngine.settings(threads)) {
      o.enableProfiling(prefix.toString());
      try (OrtSession session = env.createSession(s.file().toString(), o);
          OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), Arrays.stream(shape).asLongStream()
              .toArray())) {
        Map<String, OnnxTensor> feed = Map.of(session.getInputNames().iterator().next(), t);
        warmUp(() -> session.run(feed).close());
        long t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) session.run(feed).close();
        ortTotal = (System.nanoTime() - t0) / 1e6 / runs;
        Path json = Path.of(session.endProfiling());
        readOrtProfile(json, runs, ort, ortOp);
        if (System.getProperty("conv4j.keepProfile") == null) Files.deleteIfExists(json);
      }
    }
    String title = w.chartLabel() + ", " + threads + " thread" + (threads == 1 ? "" : "s");
    return render(backend.name(), title, conv4jTotal, conv4j,
        conv4jAlgo, ortTotal, ort, ortOp);
  }

  /**
   * At least 5 runs and 2 s: the JIT compiles for the first second or so, and its threads take the cores from a
   * 2-thread run's workers (which then look like stragglers and send jobs to one thread for a while).
   */
  private static void warmUp(Alternation.Run run) throws Exception {
    long start = System.nanoTime();
    for (int i = 0; i < 5 || System.nanoTime() - start < 2_000_000_000L; i++) run.run();
  }

  /** Node times of the last `runs` model runs, per join key (ms per run and nodes per run). */
  static void readOrtProfile(Path json, int runs, Map<String, double[]> byKey, Map<String, String> ops)
      throws IOException {
    List<long[]> modelRuns = new ArrayList<>(); // {ts, dur}
    List<Map<String, String>> nodes = new ArrayList<>();
    for (String line : Files.readAllLines(json)) {
      Map<String, String> f = new LinkedHashMap<>();
      Matcher m = FIELD.matcher(line);
      while (m.find()) f.putIfAbsent(m.group(1), m.group(2) != null ? m.group(2) : m.group(3));
      if ("model_run".equals(f.get("name"))) {
        modelRuns.add(new long[] {Long.parseLong(f.get("ts")), Long.parseLong(f.get("dur"))});
      } else if ("Node".equals(f.get("cat")) && f.getOrDefault("name", "").endsWith("_kernel_time")) {
        f.put("inputs", shapes(IN_SHAPES, line));
        f.put("outputs", shapes(OUT_SHAPES, line));
        nodes.add(f);
      }
    }
    modelRuns.sort(Comparator.comparingLong(r -> r[0]));
    long from = modelRuns.size() >= runs ? modelRuns.get(modelRuns.size() - runs)[0] : Long.MIN_VALUE;
    for (Map<String, String> n : nodes) {
      if (Long.parseLong(n.get("ts")) < from) continue;
      String op = n.getOrDefault("op_name", "?");
      String[] in = n.get("inputs").split(";");
      String out = n.get("outputs").split(";")[0];
      String key = op;
      if ((op.equals("Conv") || op.equals("FusedConv")) && in.length >= 2 && !out.isEmpty()) {
        // inputs: X, W[, B][, Z (the fused residual)]
        key = "in " + perImage(in[0]) + " w [" + in[1].replace(",", ", ") + "] out " + perImage(out);
      }
      double[] v = byKey.computeIfAbsent(key, q -> new double[2]);
      v[0] += Long.parseLong(n.get("dur")) / 1e3 / runs;
      v[1] += 1.0 / runs;
      ops.merge(key, op, (a, b) -> a.equals(b) ? a : a + "+" + b);
    }
  }

  /** The shapes of the list the pattern finds in an event line, "1,64,56,56;64,64,3,3", or "". */
  private static String shapes(Pattern list, String line) {
    Matcher m = list.matcher(line);
    if (!m.find()) return "";
    List<String> shapes = new ArrayList<>();
    Matcher sm = SHAPE.matcher(m.group(1));
    while (sm.find()) shapes.add(sm.group(1).replace(" ", ""));
    return String.join(";", shapes);
  }

  private static String perImage(String nchw) {
    String[] d = nchw.split(",");
    return "[" + String.join(", ", Arrays.copyOfRange(d, 1, d.length)) + "]";
  }

  static String render(String backend, String title, double conv4jTotal, Map<String, double[]> conv4j,
      Map<String, String> algo, double ortTotal, Map<String, double[]> ort, Map<String, String> ortOp) {
    StringBuilder sb = new StringBuilder("## ").append(title).append("\n\n");
    double c4Sum = conv4j.values().stream().mapToDouble(v -> v[0]).sum();
    double ortSum = ort.values().stream().mapToDouble(v -> v[0]).sum();
    sb.append(String.format(Locale.ROOT, "- conv4j %s: %.2f ms per run, kernels %.2f ms, outside kernels %.2f ms"
        + "%n- ONNX Runtime: %.2f ms per run, nodes %.2f ms%n%n", backend, conv4jTotal, c4Sum, conv4jTotal - c4Sum,
        ortTotal, ortSum));
    sb.append("| layer (per image: input, weight, output) | per run | conv4j | conv4j ms | ORT op | ORT ms |"
        + " conv4j/ORT |\n|---|--:|---|--:|---|--:|--:|\n");
    TreeMap<Double, List<String>> order = new TreeMap<>(Comparator.reverseOrder());
    java.util.Set<String> keys = new java.util.LinkedHashSet<>(conv4j.keySet());
    keys.addAll(ort.keySet());
    for (String k : keys) {
      double c = conv4j.containsKey(k) ? conv4j.get(k)[0] : 0, o = ort.containsKey(k) ? ort.get(k)[0] : 0;
      order.computeIfAbsent(Math.max(c, o), q -> new ArrayList<>()).add(k);
    }
    for (List<String> ks : order.values()) {
      for (String k : ks) {
        double[] c = conv4j.get(k), o = ort.get(k);
        sb.append("| ").append(k)
            .append(" | ").append(String.format(Locale.ROOT, "%.0f", c != null ? c[1] : o[1]))
            .append(" | ").append(algo.getOrDefault(k, c != null ? "" : "—"))
            .append(" | ").append(c == null ? "—" : String.format(Locale.ROOT, "%.3f", c[0]))
            .append(" | ").append(ortOp.getOrDefault(k, "—"))
            .append(" | ").append(o == null ? "—" : String.format(Locale.ROOT, "%.3f", o[0]))
            .append(" | ").append(c == null || o == null ? "" : String.format(Locale.ROOT, "%.2f", c[0] / o[0]))
            .append(" |\n");
      }
    }
    return sb.toString();
  }
}
