package org.conv4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.conv4j.backend.Backend;

/** Loads models for run and bench: ONNX files and the built-in zoo. */
final class ModelLoader {
  private static final List<String> ZOO = List.of("LeNet5", "MobileNetV2", "ResNet-18", "VGG-16");

  private ModelLoader() {}

  static List<String> zooNames() {
    return ZOO;
  }

  /** The canonical zoo name for a user's spelling (case, '-' and '_' ignored), or a UsageException. */
  static String zooName(String given) {
    String key = key(given);
    for (String z : ZOO) {
      if (key(z).equals(key)) return z;
    }
    throw new UsageException("--zoo: unknown model \"" + given + "\"; the zoo has " + String.join(", ", ZOO));
  }

  static LoadedModel onnx(Path file, Backend backend) {
    throw new UnsupportedOperationException("ONNX models are not wired yet (waiting for org.conv4j.onnx)");
  }

  static LoadedModel zoo(String name, Backend backend, int batch) {
    throw new UnsupportedOperationException("the zoo is not wired yet (waiting for org.conv4j.models)");
  }

  private static String key(String s) {
    return s.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
  }
}
