package org.conv4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.conv4j.backend.Backend;
import org.conv4j.backend.Backends;
import org.conv4j.backend.Conv2dAlgorithm;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.spec.Conv2dSpec;

/**
 * The numerical cost of Winograd on the 3x3 stride-1 layers of ResNet-18/50 and VGG-16: each layer's output from
 * the native WINOGRAD (F(4x4, 3x3)), WINOGRAD_2X2 (F(2x2, 3x3)) and DIRECT kernels and the Java WINOGRAD kernel
 * against the Java DIRECT reference (which
 * sums in double), as max |y - y_ref| / max |y_ref| and the largest error relative to the layer's error scale
 * sum |x * w| at that output. Inputs are post-ReLU-like (uniform [0, 1)), weights He-scaled normal, bias none,
 * batch 1. Writes a Markdown table (default bench/RESULTS-winograd.md). Usage:
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar org.conv4j.bench.WinogradAccuracy [--out FILE]
 * </pre>
 */
public final class WinogradAccuracy {
  private record Layer(String name, int in, int out, int size) {}

  private static final List<Layer> LAYERS = List.of(
      new Layer("ResNet-18/50 layer1", 64, 64, 56), new Layer("ResNet-18/50 layer2", 128, 128, 28),
      new Layer("ResNet-18/50 layer3", 256, 256, 14), new Layer("ResNet-18/50 layer4", 512, 512, 7),
      new Layer("VGG-16 conv1_2", 64, 64, 224),
      new Layer("VGG-16 conv2_2", 128, 128, 112), new Layer("VGG-16 conv3_x", 256, 256, 56),
      new Layer("VGG-16 conv4_x", 512, 512, 28), new Layer("VGG-16 conv5_x", 512, 512, 14));

  private WinogradAccuracy() {}

  public static void main(String[] args) throws IOException {
    Path out = Path.of("bench/RESULTS-winograd.md");
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--out") && i + 1 < args.length) {
        out = Path.of(args[++i]);
      } else {
        System.err.println("usage: WinogradAccuracy [--out FILE]");
        System.exit(2);
      }
    }
    Backend nat = Backends.get("native"), java = Backends.get("java");
    StringBuilder md = new StringBuilder();
    md.append("# Winograd F(4x4, 3x3) and F(2x2, 3x3): error on real layer shapes\n\n")
        .append("- command: `java -cp bench/target/benchmarks.jar org.conv4j.bench.WinogradAccuracy`\n")
        .append("- date: ").append(Instant.now()).append('\n')
        .append("- reference: the Java DIRECT kernel (double accumulation, one rounding to float); inputs uniform"
            + " [0, 1) (post-ReLU), weights normal with std sqrt(2 / (9 * in)), no bias, batch 1, padding 1\n")
        .append("- rel = max |y - y_ref| / max |y_ref|; scaled = max over outputs of |y - y_ref| / sum |x * w|"
            + " (the error in units of the output's own magnitude sum; float32 direct summation is bounded by"
            + " about k * 2^-24, k = 9 * in)\n\n")
        .append("| layer | in -> out @ size | native WINOGRAD rel | native WINOGRAD_2X2 rel | native DIRECT rel |"
            + " Java WINOGRAD rel | native WINOGRAD scaled | native WINOGRAD_2X2 scaled | native DIRECT scaled |"
            + " k * 2^-24 |\n")
        .append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
    for (Layer l : LAYERS) {
      Conv2dSpec spec = Conv2dSpec.builder(l.in, l.out, 3).padding(1).bias(false).build();
      SplittableRandom r = new SplittableRandom(l.in * 31L + l.size);
      float[] x = new float[l.in * l.size * l.size];
      for (int i = 0; i < x.length; i++) x[i] = (float) r.nextDouble();
      float[] w = new float[(int) spec.weightSize()];
      double std = Math.sqrt(2.0 / (9 * l.in));
      for (int i = 0; i < w.length; i++) w[i] = (float) (std * gaussian(r));
      float[] ref = run(java, spec, l.size, w, x, Conv2dAlgorithm.DIRECT);
      float[] scale = run(java, spec, l.size, abs(w), x, Conv2dAlgorithm.DIRECT); // x >= 0
      float[] natW = run(nat, spec, l.size, w, x, Conv2dAlgorithm.WINOGRAD);
      float[] nat2 = run(nat, spec, l.size, w, x, Conv2dAlgorithm.WINOGRAD_2X2);
      float[] natD = run(nat, spec, l.size, w, x, Conv2dAlgorithm.DIRECT);
      float[] javaW = run(java, spec, l.size, w, x, Conv2dAlgorithm.WINOGRAD);
      md.append(String.format(Locale.ROOT,
          "| %s | %d -> %d @ %d | %.2e | %.2e | %.2e | %.2e | %.2e | %.2e | %.2e | %.2e |%n", l.name, l.in, l.out,
          l.size, rel(natW, ref), rel(nat2, ref), rel(natD, ref), rel(javaW, ref), scaled(natW, ref, scale),
          scaled(nat2, ref, scale), scaled(natD, ref, scale), 9.0 * l.in * 0x1p-24));
      System.out.println(l.name + " done");
    }
    Files.writeString(out, md.toString());
    System.out.println("wrote " + out);
  }

  private static float[] run(Backend b, Conv2dSpec spec, int size, float[] w, float[] x, Conv2dAlgorithm algo) {
    try (Conv2dPlan p = b.conv2d(spec, size, size, w, null, algo)) {
      float[] y = new float[(int) p.outputSize()];
      p.run(x, 0, y, 0, 1);
      return y;
    }
  }

  private static double rel(float[] y, float[] ref) {
    double err = 0, max = 0;
    for (int i = 0; i < y.length; i++) {
      err = Math.max(err, Math.abs((double) y[i] - ref[i]));
      max = Math.max(max, Math.abs(ref[i]));
    }
    return err / max;
  }

  private static double scaled(float[] y, float[] ref, float[] scale) {
    double worst = 0;
    for (int i = 0; i < y.length; i++) {
      if (scale[i] > 0) worst = Math.max(worst, Math.abs((double) y[i] - ref[i]) / scale[i]);
    }
    return worst;
  }

  private static float[] abs(float[] a) {
    float[] out = new float[a.length];
    for (int i = 0; i < a.length; i++) out[i] = Math.abs(a[i]);
    return out;
  }

  private static double gaussian(SplittableRandom r) {
    double u = 1 - r.nextDouble(), v = r.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}
