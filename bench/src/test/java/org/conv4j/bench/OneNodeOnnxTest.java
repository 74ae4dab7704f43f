package org.conv4j.bench;

import static org.conv4j.spec.Activation.RELU;
import static org.conv4j.spec.Activation.RELU6;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.conv4j.backend.Backends;
import org.conv4j.onnx.OnnxModel;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.conv4j.spec.PaddingMode;
import org.conv4j.spec.Pool2dSpec;
import org.junit.jupiter.api.Test;

/**
 * The one-node models are what they claim: ONNX Runtime and conv4j's importer (Java backend) load the same bytes
 * and agree, and conv4j's output equals the layer's own Java plan on the same weights. Small shapes; nothing timed.
 */
class OneNodeOnnxTest {
  private static final int N = 2;

  @Test
  void convWithGroupsDilationAsymmetricPaddingAndRelu6() throws Exception {
    Conv2dSpec s = Conv2dSpec.builder(4, 6, 3).groups(2).stride(2).padding(1, 0, 2, 1).dilation(2)
        .activation(RELU6).build();
    float[] w = BenchFixtures.random(s.weightSize(), 5), b = BenchFixtures.random(6, 6);
    byte[] model = OneNodeOnnx.conv(s, 9, 8, w, b);
    float[] viaOnnx = agree(model, new int[] {N, 4, 9, 8});
    float[] x = BenchFixtures.random(N * 4 * 9 * 8L, 1);
    var g = s.geometry(9, 8);
    float[] direct = new float[N * 6 * g.outH() * g.outW()];
    try (var plan = Backends.get("java").conv2d(s, 9, 8, w, b)) {
      plan.run(x, 0, direct, 0, N);
    }
    assertEquals(0, SideBySide.relativeDifference(viaOnnx, direct), 1e-6);
  }

  @Test
  void depthwiseConvWithReluAndNoBias() throws Exception {
    Conv2dSpec s = Conv2dSpec.builder(5, 5, 3).groups(5).padding(1).bias(false).activation(RELU).build();
    agree(OneNodeOnnx.conv(s, 7, 7, BenchFixtures.random(s.weightSize(), 5), null), new int[] {N, 5, 7, 7});
  }

  @Test
  void convTransposeWithOutputPadding() throws Exception {
    ConvTranspose2dSpec s = ConvTranspose2dSpec.builder(4, 3, 3).stride(2).padding(1).outputPadding(1)
        .activation(RELU).build();
    agree(OneNodeOnnx.convTranspose(s, 5, 6, BenchFixtures.random(s.weightSize(), 5), BenchFixtures.random(3, 6)),
        new int[] {N, 4, 5, 6});
  }

  @Test
  void poolings() throws Exception {
    for (Pool2dSpec s : List.of(Pool2dSpec.max(3).stride(2).padding(1).build(), Pool2dSpec.max(2).build(),
        Pool2dSpec.avg(2).build(), Pool2dSpec.avg(3).stride(2).padding(1).countIncludePad(false).build(),
        Pool2dSpec.globalAvg())) {
      agree(OneNodeOnnx.pool(s, 3, 9, 9), new int[] {N, 3, 9, 9});
    }
  }

  @Test
  void layersOneNodeOnnxCannotWriteAreRejected() {
    Conv2dSpec reflect = Conv2dSpec.builder(1, 1, 3).padding(1).paddingMode(PaddingMode.REFLECT).build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> OneNodeOnnx.conv(reflect, 5, 5, new float[9], new float[1]));
    assertTrue(e.getMessage().contains("explicit zero padding"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> OneNodeOnnx.pool(Pool2dSpec.adaptiveAvg(2, 2), 1, 4, 4));
    assertTrue(e.getMessage().contains("to 1x1"), e.getMessage());
  }

  /** ORT and conv4j (Java backend) run the model on the same input and agree; returns conv4j's output. */
  private static float[] agree(byte[] model, int[] shape) throws Exception {
    float[] x = BenchFixtures.random(org.conv4j.Tensor.numel(shape), 1);
    Subject subject = Subject.ofBytes("test", () -> model, List.of());
    float[] ort, conv4j;
    try (OrtEngine e = new OrtEngine(subject, 1); Engine.Bound b = e.bind(x, shape)) {
      ort = b.output();
    }
    int[] perImage = java.util.Arrays.copyOfRange(shape, 1, shape.length);
    try (Conv4jEngine e = new Conv4jEngine(OnnxModel.load(model, "test"), Backends.get("java"), perImage);
        Engine.Bound b = e.bind(x, shape)) {
      conv4j = b.output();
    }
    assertEquals(ort.length, conv4j.length, "output sizes");
    double d = SideBySide.relativeDifference(conv4j, ort);
    assertTrue(d <= 1e-5, "conv4j and ONNX Runtime differ by " + d);
    return conv4j;
  }
}
