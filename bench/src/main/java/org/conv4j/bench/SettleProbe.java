package org.conv4j.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.conv4j.backend.Backend;
import org.conv4j.backend.Backends;
import org.conv4j.onnx.OnnxModel;

/**
 * Why {@link Alternation} idles between engines: after ONNX Runtime slices of 150 ms, conv4j native's single-run
 * times in the first 30 ms of its own slice against the rest of it, with a given pause between the two. Usage:
 *
 * <pre>
 * SettleProbe [--model mobilenet_v2] [--threads 2] [--pause-ms 0] [--rounds 30] [--models-dir bench/models]
 * </pre>
 */
public final class SettleProbe {
  private static final long SLICE = 150_000_000L;
  private static final long EARLY = 30_000_000L;

  private SettleProbe() {}

  public static void main(String[] args) throws Exception {
    String model = "mobilenet_v2";
    int threads = 2, rounds = 30;
    long pauseMs = 0;
    Path dir = Path.of("bench", "models");
    for (int i = 0; i + 1 < args.length; i += 2) {
      switch (args[i]) {
        case "--model": model = args[i + 1]; break;
        case "--threads": threads = Integer.parseInt(args[i + 1]); break;
        case "--pause-ms": pauseMs = Long.parseLong(args[i + 1]); break;
        case "--rounds": rounds = Integer.parseInt(args[i + 1]); break;
        case "--models-dir": dir = Path.of(args[i + 1]); break;
        default: throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    // the model's file and input shape as the side-by-side runner reads them (bench/models/<model>.properties)
    Subject subject = ZooModels.load(dir, List.of(model), List.of(1)).get(0);
    Workload w = subject.workloads().get(0);
    Backend nativeBackend = Backends.get("native");
    nativeBackend.setThreads(threads);
    int[] shape = w.inputShape();
    float[] x = BenchFixtures.random(Math.toIntExact(org.conv4j.Tensor.numel(shape)), 1);  // as SideBySide's inputs
    List<Long> ort = new ArrayList<>(), early = new ArrayList<>(), late = new ArrayList<>();
    try (OrtEngine o = new OrtEngine(subject, threads);
        Conv4jEngine c = new Conv4jEngine(OnnxModel.load(subject.file()), nativeBackend, w.perImage())) {
      Engine.Bound bo = o.bind(x, shape), bc = c.bind(x, shape);
      for (int i = 0; i < 30; i++) {
        bo.run();
        bc.run();
      }
      for (int round = 0; round < rounds; round++) {
        for (long end = System.nanoTime() + SLICE; System.nanoTime() < end; ) ort.add(time(bo));
        if (pauseMs > 0) Thread.sleep(pauseMs);
        long start = System.nanoTime();
        while (System.nanoTime() - start < SLICE) {
          boolean first = System.nanoTime() - start < EARLY;
          (first ? early : late).add(time(bc));
        }
      }
    }
    System.out.printf(Locale.ROOT, "%s, %d threads, %d ms pause: ONNX Runtime median %.2f ms; conv4j native median"
        + " %.2f ms in a slice's first %d ms (%d runs), %.2f ms later (%d runs)%n", model, threads, pauseMs,
        ms(ort), ms(early), EARLY / 1_000_000, early.size(), ms(late), late.size());
  }

  private static long time(Alternation.Run run) throws Exception {
    long t0 = System.nanoTime();
    run.run();
    return System.nanoTime() - t0;
  }

  /** Median in milliseconds. */
  private static double ms(List<Long> nanos) {
    return Stats.of(nanos.stream().mapToLong(Long::longValue).toArray()).median() / 1e6;
  }
}
