package org.conv4j.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.conv4j.nn.Network;
import org.conv4j.nn.ParameterSpec;
import org.conv4j.nn.Parameters;
import org.junit.jupiter.api.Test;

/**
 * Each architecture declares exactly torchvision 0.14's state_dict: same names, same order, same shapes
 * (num_batches_tracked aside). The listing is written by gen_model_fixtures.py from torchvision itself.
 */
class TorchvisionParameterNamesTest {
  private static Map<String, List<String>> listing() throws Exception {
    Map<String, List<String>> out = new LinkedHashMap<>();
    List<String> cur = null;
    for (String line : Files.readAllLines(ModelFixturesTest.small("torchvision_state_dicts.txt"))) {
      if (line.startsWith("#")) continue;
      if (line.startsWith("model ")) {
        cur = new ArrayList<>();
        out.put(line.substring(6), cur);
      } else if (!line.contains("num_batches_tracked")) {
        cur.add(line);
      }
    }
    return out;
  }

  private static List<String> declared(Network n) {
    List<String> out = new ArrayList<>();
    for (ParameterSpec p : Parameters.declared(n.layer())) {
      out.add(p.name() + "\t" + String.join(",", Arrays.stream(p.shape()).mapToObj(Integer::toString).toList()));
    }
    return out;
  }

  @Test
  void everyArchitectureMatchesTorchvision() throws Exception {
    Map<String, Supplier<Network>> nets = new LinkedHashMap<>();
    nets.put("alexnet", () -> AlexNet.alexnet(1000));
    nets.put("resnet18", () -> ResNet.resnet18(1000));
    nets.put("resnet34", () -> ResNet.resnet34(1000));
    nets.put("resnet50", () -> ResNet.resnet50(1000));
    nets.put("mobilenet_v2", () -> MobileNetV2.mobilenetV2(1000));
    nets.put("vgg11", () -> Vgg.vgg11(1000, false));
    nets.put("vgg11_bn", () -> Vgg.vgg11(1000, true));
    nets.put("vgg13", () -> Vgg.vgg13(1000, false));
    nets.put("vgg13_bn", () -> Vgg.vgg13(1000, true));
    nets.put("vgg16", () -> Vgg.vgg16(1000, false));
    nets.put("vgg16_bn", () -> Vgg.vgg16(1000, true));
    nets.put("vgg19", () -> Vgg.vgg19(1000, false));
    nets.put("vgg19_bn", () -> Vgg.vgg19(1000, true));
    Map<String, List<String>> torch = listing();
    assertEquals(nets.keySet(), torch.keySet());
    for (var e : nets.entrySet()) {
      Network n = e.getValue().get();
      assertEquals(String.join("\n", torch.get(e.getKey())), String.join("\n", declared(n)), e.getKey());
      assertEquals(e.getKey(), n.name());
    }
  }
}
