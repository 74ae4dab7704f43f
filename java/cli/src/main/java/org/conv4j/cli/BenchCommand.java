package org.conv4j.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.graph.Layout;
import org.conv4j.io.Npy;

/** {@code conv4j bench}: whole-model inference latency after warm-up, per model and backend. */
final class BenchCommand implements Command {
  static final int DEFAULT_WARMUP = 2, DEFAULT_ITERS = 20, DEFAULT_BATCH = 1;
  static final double DEFAULT_MAX_SECONDS = 10, DEFAULT_WARMUP_SECONDS = 1;
  /** Seed of the random input when no --input is given. */
  static final long INPUT_SEED = 42;

  @Override
  public String name() {
    return "bench";
  }

  @Override
  public String summary() {
    return "time whole-model inference (built-in zoo or an ONNX file) on the native and Java backends";
  }

  @Override
  public String help() {
    return String.join("\n",
        "usage: conv4j bench [--model M.onnx [--input X.npy]] [--zoo NAME,...] [flags]",
        "",
        "Times whole-model inference after warm-up. With neither --model nor --zoo it runs the built-in zoo",
        "(" + String.join(", ", ModelLoader.zooNames()) + ") with deterministic weights on both backends and",
        "prints median and p90 latency, images/s and the native-over-Java speedup.",
        "",
        "  --model M.onnx   an ONNX model to time (input: seeded random values unless --input is given)",
        "  --input X.npy    the input for --model; its first dimension is the batch",
        "  --zoo NAMES      comma-separated built-in models: " + String.join(", ", ModelLoader.zooNames()),
        "                   (case and '-' ignored)",
        "  --backend B      all (default: native, then java), native, java or auto",
        "  --threads N      threads per backend (default: all cores)",
        "  --batch B        images per inference (default " + DEFAULT_BATCH + ")",
        "  --warmup W       untimed runs first (default " + DEFAULT_WARMUP + ")",
        "  --warmup-time S  and more untimed runs until S seconds of them have passed (default "
            + (int) DEFAULT_WARMUP_SECONDS + "; 0: W runs only)",
        "  --iters K        timed runs at most (default " + DEFAULT_ITERS + ")",
        "  --max-time S     stop timing a model/backend after S seconds once " + Timing.MIN_TIMED
            + " runs are done (default " + (int) DEFAULT_MAX_SECONDS + "; 0: no limit)",
        "  --json           one JSON object per line instead of the table:",
        "                   {\"model\", \"backend\", \"threads\", \"batch\", \"runs\", \"median_ms\", \"p90_ms\", \"min_ms\"}",
        "",
        "Progress goes to stderr, results to stdout. The defaults keep the full zoo on both backends within a",
        "few minutes on 2 cores.",
        "");
  }

  @Override
  public Set<String> valuedFlags() {
    return Set.of("model", "input", "zoo", "backend", "threads", "batch", "iters", "warmup", "warmup-time",
        "max-time");
  }

  @Override
  public Set<String> switches() {
    return Set.of("json");
  }

  /** One model to time, and its input (null: seeded random values of its input shape). */
  private record Subject(ModelSource source, Tensor input) {}

  @Override
  public void run(Args args, PrintStream out, PrintStream err) throws Exception {
    String backendName = args.choice("backend", "all", "all", "native", "java", "auto");
    int threads = args.integer("threads", 0, 1);
    int warmup = args.integer("warmup", DEFAULT_WARMUP, 0);
    double warmupSeconds = args.number("warmup-time", DEFAULT_WARMUP_SECONDS, 0);
    int iters = args.integer("iters", DEFAULT_ITERS, 1);
    double maxSeconds = args.number("max-time", DEFAULT_MAX_SECONDS, 0);
    boolean json = args.has("json");
    if (args.has("input") && !args.has("model")) throw new UsageException("--input needs --model");
    if (args.has("input") && args.has("batch")) {
      throw new UsageException("give --input or --batch, not both: the batch is the first dimension of --input");
    }
    int batch = args.integer("batch", DEFAULT_BATCH, 1);
    Path modelFile = args.inputFile("model");
    Path inputFile = args.inputFile("input");

    Tensor fileInput = inputFile == null ? null : Npy.read(inputFile);
    if (fileInput != null) {
      if (fileInput.rank() == 0 || fileInput.dim(0) < 1) {
        throw new UsageException("--input " + inputFile + " has shape " + Arrays.toString(fileInput.shape())
            + " but needs a first (batch) dimension >= 1");
      }
      batch = fileInput.dim(0);
    }
    // every model loaded and every input shape checked before the first timing
    List<Subject> subjects = new ArrayList<>();
    if (modelFile != null) {
      ModelSource source = ModelLoader.onnx(modelFile, Layout.NCHW);
      if (fileInput != null) source.check(fileInput.shape());
      else source.inputShape(batch);
      subjects.add(new Subject(source, fileInput));
    }
    List<String> zoo = args.list("zoo");
    if (zoo.isEmpty() && modelFile == null) zoo = ModelLoader.zooNames();
    for (String z : zoo) subjects.add(new Subject(ModelLoader.zoo(z), null));
    List<Backend> backends = BackendChoice.selectAll(backendName, threads, err);

    List<Row> rows = new ArrayList<>();
    int total = subjects.size() * backends.size(), done = 0;
    for (Iterator<Subject> it = subjects.iterator(); it.hasNext(); ) {
      Subject s = it.next();
      it.remove(); // lets a zoo model's weights go once it has run on every backend
      String name = s.source().name();
      for (Backend b : backends) {
        done++;
        err.printf(Locale.ROOT, "bench [%d/%d] %s on %s, %d threads, batch %d: %d warm-up + up to %d timed runs%s%n",
            done, total, name, b.name(), b.threads(), batch, warmup, iters,
            maxSeconds > 0 ? String.format(Locale.ROOT, " (%.0f s budget)", maxSeconds) : "");
        Row row;
        try (ModelSession m = s.source().open(b)) {
          Tensor x = s.input() != null ? s.input() : randomInput(m.inputShape(batch));
          m.prepare(x.shape()); // weights packed and plans made before any timed run
          Stats st = Timing.measure(() -> m.run(x), warmup, warmupSeconds, iters, maxSeconds);
          row = new Row(name, b.name(), b.threads(), batch, st);
        }
        if (json) {
          out.println(row.json());
          out.flush();
        }
        rows.add(row);
      }
    }
    if (!json) BenchTable.print(rows, out);
  }

  /** One measured model/backend pair. */
  record Row(String model, String backend, int threads, int batch, Stats stats) {
    String json() {
      return new JsonLine().put("model", model).put("backend", backend).put("threads", threads)
          .put("batch", batch).put("runs", stats.count()).put("median_ms", stats.medianMs())
          .put("p90_ms", stats.p90Ms()).put("min_ms", stats.minMs()).toString();
    }
  }

  /** Uniform in [-1, 1) from a fixed seed, so every run and backend sees the same input. */
  static Tensor randomInput(int[] shape) {
    Tensor t = Tensor.zeros(shape);
    SplittableRandom r = new SplittableRandom(INPUT_SEED);
    float[] d = t.data();
    for (int i = 0; i < d.length; i++) d[i] = (float) (r.nextDouble() * 2 - 1);
    return t;
  }
}
