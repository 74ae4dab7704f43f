package org.conv4j.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.conv4j.Tensor;
import org.conv4j.nn.Network;
import org.conv4j.nn.Parameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading weights: every missing, mis-shaped and unexpected tensor is reported at once, with names and shapes. */
class ModelParametersTest {
  @TempDir Path dir;

  @Test
  void missingMisShapedAndExtraTensorsAreAllNamed() throws Exception {
    Map<String, Tensor> m = new LinkedHashMap<>(
        Parameters.load(ModelFixturesTest.small("tinynet").resolve("weights.safetensors")).asMap());
    m.remove("block1.conv1.weight");
    m.put("fire.squeeze.bias", Tensor.zeros(9));
    m.put("extra.weight", Tensor.zeros(2));
    m.put("stem.1.num_batches_tracked", Tensor.zeros()); // ignored, as PyTorch's counters
    Network net = TinyNet.network();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> net.withParameters(Parameters.of(m)));
    String msg = e.getMessage();
    assertTrue(msg.contains("tinynet") && msg.contains("3 problems"), msg);
    assertTrue(msg.contains("missing block1.conv1.weight (expected shape [32, 16, 3, 3])"), msg);
    assertTrue(msg.contains("fire.squeeze.bias has shape [9] but tinynet expects [8]"), msg);
    assertTrue(msg.contains("unexpected extra.weight [2]"), msg);
    assertFalse(msg.contains("num_batches_tracked"), msg);
  }

  @Test
  void weightsOfAnotherHeadSizeAreRejectedFromAFile() throws Exception {
    Path w = ModelFixturesTest.small("lenet5").resolve("weights.safetensors");
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LeNet5.classic(100).load(w));
    assertTrue(e.getMessage().contains("classifier.4.weight has shape [10, 84] but lenet5 expects [100, 84]")
        && e.getMessage().contains("classifier.4.bias has shape [10] but lenet5 expects [100]"), e.getMessage());
  }

  @Test
  void randomWeightsAreDeterministicPerNameAndSurviveASaveLoadRoundTrip() throws Exception {
    Network n = ResNet.resnet18(10);
    Parameters a = Parameters.random(n.layer(), 7), b = Parameters.random(n.layer(), 7);
    Parameters c = Parameters.random(n.layer(), 8);
    assertArrayEquals(a.get("layer3.1.conv2.weight"), b.get("layer3.1.conv2.weight"), 0f);
    assertFalse(java.util.Arrays.equals(a.get("layer3.1.conv2.weight"), c.get("layer3.1.conv2.weight")));
    // the same name gets the same values in another architecture: init depends on seed and name only
    Parameters r34 = Parameters.random(ResNet.resnet34(10).layer(), 7);
    assertArrayEquals(a.get("layer1.0.conv1.weight"), r34.get("layer1.0.conv1.weight"), 0f);
    // Kaiming-uniform bound sqrt(6 / fanIn), fanIn = 64 * 9
    double bound = Math.sqrt(6.0 / (64 * 9));
    double max = 0;
    for (float v : a.get("layer1.0.conv1.weight")) max = Math.max(max, Math.abs(v));
    assertTrue(max <= bound && max > 0.9 * bound, "max " + max + " bound " + bound);
    Path f = dir.resolve("r18.safetensors");
    a.save(f);
    Parameters back = n.load(f).parameters();
    assertEquals(a.asMap().keySet(), back.asMap().keySet());
    for (String k : a.asMap().keySet()) assertArrayEquals(a.get(k), back.get(k), 0f, k);
  }
}
