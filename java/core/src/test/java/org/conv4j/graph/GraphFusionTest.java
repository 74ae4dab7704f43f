package org.conv4j.graph;

import static org.conv4j.graph.TestSupport.assertCloseScaled;
import static org.conv4j.graph.TestSupport.random;
import static org.conv4j.graph.TestSupport.randomTensor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.backend.BackendKind;
import org.conv4j.backend.Backends;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.LinearSpec;
import org.conv4j.spec.Pool2dSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Fusion (BN folding, activation and residual epilogues) changes the steps but not the result: each graph is run
 * fused and unfused, and a hand-computed case pins the folding formula itself.
 */
class GraphFusionTest {
  /** Fused vs unfused differ only by float32 rounding of the folded weights and the summation order. */
  private static final double TOL = 1e-5;

  static List<Backend> backends() {
    return TestSupport.backends();
  }

  private static int seed = 1;

  private static Value convBn(Graph.Builder b, Value x, int in, int out, int stride, String name) {
    Conv2dSpec spec = Conv2dSpec.builder(in, out, 3).stride(stride).padding(1).bias(false).build();
    Value y = b.named(name).conv2d(x, spec, scaled(random(seed++, (int) spec.weightSize()), 1.0 / Math.sqrt(in * 9)),
        null);
    return b.named(name + "_bn").batchNorm2d(y, positive(seed++, out, 0.5f, 1.5f), random(seed++, out),
        random(seed++, out), positive(seed++, out, 0.5f, 2f), 1e-5f);
  }

  private static float[] scaled(float[] a, double s) {
    for (int i = 0; i < a.length; i++) a[i] *= (float) s;
    return a;
  }

  private static float[] positive(long seed, int n, float lo, float hi) {
    float[] a = random(seed, n);
    for (int i = 0; i < n; i++) a[i] = lo + (a[i] + 1) / 2 * (hi - lo);
    return a;
  }

  /** A ResNet-style block with a downsampling shortcut computed after the main path (as torchvision). */
  private static Graph residualNet() {
    Graph.Builder b = Graph.builder();
    Value x = b.input("x");
    Value h = b.named("stem_relu").activation(convBn(b, x, 3, 8, 1, "stem"), Activation.RELU);
    Value m = b.named("relu1").activation(convBn(b, h, 8, 16, 2, "conv1"), Activation.RELU);
    m = convBn(b, m, 16, 16, 1, "conv2");
    Value shortcut = convBn(b, h, 8, 16, 2, "down");
    Value y = b.named("relu2").activation(b.named("add").add(m, shortcut), Activation.RELU);
    y = b.pool2d(y, Pool2dSpec.globalAvg());
    y = b.flatten(y, 1);
    y = b.named("fc").linear(y, new LinearSpec(16, 5), random(seed++, 80), random(seed++, 5));
    b.output("logits", b.named("fc_sigmoid").activation(y, Activation.SIGMOID));
    return b.build();
  }

  @ParameterizedTest
  @MethodSource("backends")
  void residualNetFusedEqualsUnfused(Backend be) {
    Graph g = residualNet();
    Tensor x = randomTensor(99, 2, 3, 12, 12);
    try (PreparedModel fused = g.prepare(be, x.shape());
        PreparedModel plain = g.prepare(be, x.shape(), PrepareOptions.DEFAULT.withFuse(false))) {
      assertEquals(g.nodeCount() - 1, plain.stepCount()); // flatten aliases its input: no step
      // stem+bn+relu, conv1+bn+relu1, down+bn, conv2+bn+add+relu2, pool, (flatten aliases), fc+sigmoid
      assertEquals(6, fused.stepCount(), fused.describe());
      String d = fused.describe();
      // the shortcut's only reader is the add: conv2 writes over its buffer
      assertTrue(d.contains("conv2+conv2_bn+add+relu2") && d.contains("+residual (in place)"), d);
      assertTrue(d.contains("stem+stem_bn+stem_relu") && d.contains("fc+fc_sigmoid"), d);
      assertCloseScaled(plain.run(x), fused.run(x), TOL, "fused vs unfused on " + be);
    }
  }

  /**
   * The residual's buffer is taken over only by its last reader, and never when it is the conv's own input: h feeds
   * conv(h) + h (x aliased to the residual), then a second conv adds h again and is its last reader (in place), and a
   * third block's residual is read again afterwards (not in place).
   */
  @ParameterizedTest
  @MethodSource("backends")
  void residualInPlaceOnlyForItsLastReader(Backend be) {
    Graph.Builder b = Graph.builder();
    Value x = b.input("x");
    Value h = b.named("stem").conv2d(x, Conv2dSpec.builder(3, 8, 3).padding(1).build(), random(11, 216),
        random(12, 8));
    Conv2dSpec same = Conv2dSpec.builder(8, 8, 3).padding(1).build();
    Value self = b.named("self_add").add(b.named("self").conv2d(h, same, random(13, 576), random(14, 8)), h);
    Value last = b.named("last_add").add(b.named("last").conv2d(self, same, random(15, 576), random(16, 8)), h);
    Value kept = b.named("kept_add").add(b.named("kept").conv2d(last, same, random(17, 576), random(18, 8)), self);
    Value after = b.named("after").conv2d(self, same, random(19, 576), random(20, 8)); // self read again here
    b.output("y", b.add(kept, after));
    Graph g = b.build();
    Tensor in = randomTensor(21, 2, 3, 9, 11);
    try (PreparedModel fused = g.prepare(be, in.shape());
        PreparedModel plain = g.prepare(be, in.shape(), PrepareOptions.DEFAULT.withFuse(false))) {
      String d = fused.describe();
      assertTrue(d.contains("self+self_add") && d.lines().filter(l -> l.startsWith("self+")).allMatch(
          l -> l.endsWith(" +residual")), d);
      assertTrue(d.lines().anyMatch(l -> l.startsWith("last+last_add") && l.endsWith("+residual (in place)")), d);
      assertTrue(d.lines().anyMatch(l -> l.startsWith("kept+kept_add") && l.endsWith(" +residual")), d);
      assertCloseScaled(plain.run(in), fused.run(in), TOL, "fused (in place) vs unfused on " + be);
    }
  }

  @Test
  void batchNormFoldMatchesTheFormula() {
    // 1x1 conv, one channel in, two out, weights 2 and -1, bias 0.5 and 0; bn per output channel
    Graph.Builder b = Graph.builder();
    Value x = b.input("x");
    Value c = b.conv2d(x, Conv2dSpec.builder(1, 2, 1).build(), new float[] {2, -1}, new float[] {0.5f, 0});
    float[] gamma = {1.5f, -2}, beta = {0.25f, 1}, mean = {0.1f, -0.3f}, var = {0.5f, 3};
    float eps = 1e-3f;
    b.output("y", b.batchNorm2d(c, gamma, beta, mean, var, eps));
    Tensor in = Tensor.of(new float[] {-1, 0, 0.5f, 2}, 1, 1, 2, 2);
    try (PreparedModel m = b.build().prepare(Backends.get(BackendKind.JAVA), in.shape())) {
      assertEquals(1, m.stepCount(), m.describe());
      Tensor y = m.run(in);
      float[] w = {2, -1}, bias = {0.5f, 0};
      for (int o = 0; o < 2; o++) {
        for (int i = 0; i < 4; i++) {
          double conv = w[o] * in.data()[i] + bias[o];
          double expect = (conv - mean[o]) / Math.sqrt(var[o] + (double) eps) * gamma[o] + beta[o];
          assertEquals(expect, y.data()[o * 4 + i], 1e-6, "channel " + o + " pixel " + i);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void noFusionWhenTheIntermediateHasAnotherReader(Backend be) {
    Graph.Builder b = Graph.builder();
    Value x = b.input("x");
    Conv2dSpec spec = Conv2dSpec.builder(2, 2, 3).padding(1).build();
    Value c = b.named("conv").conv2d(x, spec, random(5, 36), random(6, 2));
    Value r = b.named("relu").activation(c, Activation.RELU);
    b.output("relu", r);
    b.output("conv", c); // the pre-activation value is an output too: relu cannot move into the epilogue
    Graph g = b.build();
    Tensor in = randomTensor(7, 1, 2, 5, 5);
    try (PreparedModel m = g.prepare(be, in.shape())) {
      assertEquals(2, m.stepCount(), m.describe());
      List<Tensor> outs = m.runAll(in);
      float[] pre = outs.get(1).data(), post = outs.get(0).data();
      boolean sawNegative = false;
      for (int i = 0; i < pre.length; i++) {
        assertEquals(Math.max(pre[i], 0f), post[i], 0f);
        sawNegative |= pre[i] < 0;
      }
      assertTrue(sawNegative, "the conv output should have negative values for this test to mean anything");
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void broadcastAddIsNotAResidual(Backend be) {
    Graph.Builder b = Graph.builder();
    Value x = b.input("x");
    Value c = b.conv2d(x, Conv2dSpec.builder(2, 3, 1).build(), random(8, 6), random(9, 3));
    Value bias = b.constant("chan", Tensor.of(new float[] {1, 2, 3}, 3, 1, 1));
    b.output("y", b.activation(b.add(c, bias), Activation.RELU));
    Graph g = b.build();
    Tensor in = randomTensor(10, 2, 2, 3, 3);
    try (PreparedModel fused = g.prepare(be, in.shape());
        PreparedModel plain = g.prepare(be, in.shape(), PrepareOptions.DEFAULT.withFuse(false))) {
      assertEquals(3, fused.stepCount(), fused.describe());
      assertCloseScaled(plain.run(in), fused.run(in), TOL, "broadcast add");
    }
  }
}
