package org.conv4j.bench;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * The whole models of the side-by-side comparison: ONNX files written by bench/scripts/export_models.py into a
 * directory (default bench/models), each with a .properties file giving its display name, per-image input shape and
 * multiply-adds per image. Targets (conv4j native time / ONNX Runtime time at 1 / 2 threads, batch 1): ResNet-18
 * <= 0.80 / 0.85, VGG-16 <= 0.70 / 0.75, ResNet-50 <= 0.85 / 0.90, MobileNetV2 <= 1.0 / 1.0, LeNet-5 <= 1.0 at one
 * thread; ResNet-18 at batch 8 >= 1.25 x ONNX Runtime's images/s; conv4j Java at most 4 x conv4j native's time on
 * ResNet-18 at one thread.
 */
final class ZooModels {
  /** File names (without .onnx), in report order. */
  static final List<String> NAMES = List.of("lenet5", "mobilenet_v2", "resnet18", "resnet50", "vgg16");

  // the table has no 2-thread bound for these two ("—"): their 2-thread rows are measured, not judged
  private static final Target JAVA_VS_NATIVE = new Target(Target.Metric.JAVA_TIME_VS_NATIVE, 4.0, Double.NaN);
  private static final Map<String, List<Target>> BATCH1 = Map.of(
      "lenet5", List.of(new Target(Target.Metric.NATIVE_TIME_VS_ORT, 1.0, Double.NaN)),
      "mobilenet_v2", List.of(Target.of(Target.Metric.NATIVE_TIME_VS_ORT, 1.0)),
      "resnet18", List.of(new Target(Target.Metric.NATIVE_TIME_VS_ORT, 0.80, 0.85), JAVA_VS_NATIVE),
      "resnet50", List.of(new Target(Target.Metric.NATIVE_TIME_VS_ORT, 0.85, 0.90)),
      "vgg16", List.of(new Target(Target.Metric.NATIVE_TIME_VS_ORT, 0.70, 0.75)));
  private static final Map<String, List<Target>> BATCH8 = Map.of(
      "resnet18", List.of(Target.of(Target.Metric.NATIVE_THROUGHPUT_VS_ORT, 1.25), JAVA_VS_NATIVE));

  private ZooModels() {}

  /** The model's ONNX file in dir. */
  static Path onnx(Path dir, String name) {
    return dir.resolve(name + ".onnx");
  }

  /** The named models found in dir, each with one workload per batch size; missing files are an IOException. */
  static List<Subject> load(Path dir, List<String> names, List<Integer> batches) throws IOException {
    List<Subject> subjects = new ArrayList<>();
    for (String name : names) {
      if (!NAMES.contains(name)) {
        throw new IllegalArgumentException("--models entries must be among " + NAMES + ", got \"" + name + "\"");
      }
      Path file = onnx(dir, name);
      Path props = dir.resolve(name + ".properties");
      if (!Files.isRegularFile(file) || !Files.isRegularFile(props)) {
        throw new IOException(file + " or " + props + " is missing: run /usr/bin/python3 bench/scripts/"
            + "export_models.py (bench/run-side-by-side.sh does when needed)");
      }
      Properties p = new Properties();
      try (Reader r = Files.newBufferedReader(props)) {
        p.load(r);
      }
      String display = required(p, "name", props);
      int[] perImage = Arrays.stream(required(p, "input", props).split(",")).mapToInt(Integer::parseInt).toArray();
      long flops = 2 * Long.parseLong(required(p, "macs", props));
      List<Workload> workloads = new ArrayList<>();
      for (int b : batches) {
        List<Target> targets = (b == 1 ? BATCH1 : b == 8 ? BATCH8 : Map.<String, List<Target>>of())
            .getOrDefault(name, List.of());
        workloads.add(new Workload(Workload.Section.MODELS, display, display + " b" + b, perImage, b, flops,
            targets));
      }
      subjects.add(Subject.ofFile(name, file, workloads));
    }
    return subjects;
  }

  private static String required(Properties p, String key, Path file) throws IOException {
    String v = p.getProperty(key);
    if (v == null || v.isBlank()) throw new IOException(file + " has no \"" + key + "\"");
    return v.trim();
  }
}
