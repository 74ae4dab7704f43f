package org.conv4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.conv4j.graph.Layout;
import org.conv4j.graph.PrepareOptions;
import org.conv4j.models.LeNet5;
import org.conv4j.models.MobileNetV2;
import org.conv4j.models.ResNet;
import org.conv4j.models.Vgg;
import org.conv4j.nn.Model;
import org.conv4j.nn.Network;
import org.conv4j.onnx.OnnxModel;

/** Loads the models run and bench use: ONNX files and the built-in zoo with deterministic weights. */
final class ModelLoader {
  /** Seed of the zoo's deterministic weights. */
  static final long ZOO_SEED = 2024;

  /** The zoo: classic LeNet-5 (1x32x32, 10 classes) and three ImageNet classifiers (3x224x224, 1000 classes). */
  private static final Map<String, Supplier<Network>> ZOO = new LinkedHashMap<>();

  static {
    ZOO.put("LeNet5", () -> LeNet5.classic(10));
    ZOO.put("MobileNetV2", () -> MobileNetV2.mobilenetV2(1000));
    ZOO.put("ResNet-18", () -> ResNet.resnet18(1000));
    ZOO.put("VGG-16", () -> Vgg.vgg16(1000, false));
  }

  private ModelLoader() {}

  static List<String> zooNames() {
    return List.copyOf(ZOO.keySet());
  }

  /** The canonical zoo name for a user's spelling (case, '-' and '_' ignored), or a UsageException. */
  static String zooName(String given) {
    String key = key(given);
    for (String z : ZOO.keySet()) {
      if (key(z).equals(key)) return z;
    }
    throw new UsageException("--zoo: unknown model \"" + given + "\"; the zoo has " + String.join(", ", ZOO.keySet()));
  }

  /** An ONNX file, parsed and converted now: a corrupt file, an unsupported operator or node fails here. */
  static ModelSource onnx(Path file, Layout layout) throws IOException {
    OnnxModel m = OnnxModel.load(file);
    PrepareOptions options = PrepareOptions.DEFAULT.withLayout(layout);
    return new ModelSource(file.getFileName().toString(), m.inputShape(), layout,
        (backend, shape) -> m.prepare(backend, shape, options));
  }

  /**
   * A zoo model, NCHW. Its deterministic weights (seed {@value #ZOO_SEED}) are made on the first prepare and
   * shared by every backend it is prepared on.
   */
  static ModelSource zoo(String name) {
    String canonical = zooName(name);
    Network net = ZOO.get(canonical).get();
    Model[] model = new Model[1];
    int[] per = net.inputShape();
    int[] declared = new int[per.length + 1];
    declared[0] = -1;
    System.arraycopy(per, 0, declared, 1, per.length);
    return new ModelSource(canonical, declared, Layout.NCHW, (backend, shape) -> {
      if (model[0] == null) model[0] = net.random(ZOO_SEED);
      return model[0].prepare(backend, shape[0]);
    });
  }

  private static String key(String s) {
    return s.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
  }
}
