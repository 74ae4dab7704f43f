package org.conv4j.models;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.backend.Backends;
import org.conv4j.backend.jni.NativeBackend;
import org.conv4j.graph.PreparedModel;
import org.conv4j.nn.Network;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Deterministic random weights keep activations of order one through each torchvision architecture (benchmarks
 * and demos run on them, so a net that overflows or collapses to a constant would measure nothing).
 */
class RandomWeightsTest {
  static List<Network> networks() {
    return List.of(ResNet.resnet18(1000), ResNet.resnet50(1000), MobileNetV2.mobilenetV2(1000));
  }

  /** Nets with 100M-weight linear layers: the Java backend's linear prepare takes seconds each, so native only. */
  static List<Network> bigLinearNetworks() {
    return List.of(AlexNet.alexnet(1000), Vgg.vgg11(1000, true), Vgg.vgg16(1000, false));
  }

  @ParameterizedTest
  @MethodSource("bigLinearNetworks")
  void outputsOfBigLinearNetsStayOfOrderOne(Network n) {
    Assumptions.assumeTrue(NativeBackend.unavailableReason() == null, "native backend unavailable");
    outputsStayOfOrderOne(n);
  }

  @ParameterizedTest
  @MethodSource("networks")
  void outputsStayOfOrderOne(Network n) {
    Backend be = Backends.defaultBackend();
    // 64x64 rather than 224x224 keeps the Java backend quick; every net here ends in adaptive pooling
    Tensor x = Tensor.of(normal(5, 3 * 64 * 64), 1, 3, 64, 64);
    try (PreparedModel m = n.random(42).graph().prepare(be, x.shape())) {
      float[] y = m.run(x).data();
      double sum = 0, sq = 0;
      for (float v : y) {
        assertTrue(Float.isFinite(v), n + ": non-finite output");
        sum += v;
        sq += v * v;
      }
      double mean = sum / y.length, std = Math.sqrt(sq / y.length - mean * mean);
      System.out.printf("%s random weights: output mean %.3g std %.3g%n", n.name(), mean, std);
      assertTrue(std > 0.05 && std < 20 && Math.abs(mean) < 20, n + ": mean " + mean + ", std " + std);
    }
  }

  private static float[] normal(long seed, int n) {
    java.util.Random r = new java.util.Random(seed);
    float[] a = new float[n];
    for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
    return a;
  }
}
