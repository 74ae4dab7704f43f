package org.conv4j.graph;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.conv4j.graph.TestSupport.iota;

import java.util.List;
import java.util.function.BiFunction;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.backend.BackendKind;
import org.conv4j.backend.Backends;
import org.conv4j.spec.Activation;
import org.conv4j.spec.PaddingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The graph's own (non-kernel) ops against hand-computed values: broadcasting, concat, pad, transpose, reshape. */
class GraphOpsTest {
  private static final Backend JAVA = Backends.get(BackendKind.JAVA);

  static List<Backend> backends() {
    return TestSupport.backends();
  }

  /** Builds a one-input graph with f, prepares it for shape and runs it on x. */
  private static Tensor run(Backend be, Tensor x, BiFunction<Graph.Builder, Value, Value> f) {
    Graph.Builder b = Graph.builder();
    Value in = b.input("x");
    b.output("y", f.apply(b, in));
    try (PreparedModel m = b.build().prepare(be, x.shape())) {
      return m.run(x);
    }
  }

  private static Tensor run(Tensor x, BiFunction<Graph.Builder, Value, Value> f) {
    return run(JAVA, x, f);
  }

  @Test
  void mulBroadcastsAPerChannelConstant() {
    Tensor x = Tensor.of(iota(2 * 3 * 2 * 2), 2, 3, 2, 2);
    float[] scale = {1, 10, 100};
    Tensor y = run(x, (b, in) -> b.mul(in, b.constant("scale", Tensor.of(scale, 3, 1, 1))));
    assertArrayEquals(new int[] {2, 3, 2, 2}, y.shape());
    for (int i = 0; i < 24; i++) assertEquals(i * scale[(i / 4) % 3], y.data()[i], 0f, "index " + i);
  }

  @Test
  void binaryOpsBroadcastBothOperands() {
    Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 1, 3); // [2,1,3]
    Tensor bt = Tensor.of(new float[] {10, 20, 30, 40}, 4, 1); // [4,1] -> result [2,4,3]
    for (BinaryOp op : BinaryOp.values()) {
      Tensor y = run(a, (b, in) -> {
        Value c = b.constant("c", bt);
        switch (op) {
          case ADD: return b.add(in, c);
          case SUB: return b.sub(in, c);
          case MUL: return b.mul(in, c);
          default: return b.div(in, c);
        }
      });
      assertArrayEquals(new int[] {2, 4, 3}, y.shape(), op.name());
      for (int i = 0; i < 2; i++) {
        for (int j = 0; j < 4; j++) {
          for (int k = 0; k < 3; k++) {
            float expect = op.apply(a.data()[i * 3 + k], bt.data()[j]);
            assertEquals(expect, y.data()[(i * 4 + j) * 3 + k], 0f, op + " at " + i + "," + j + "," + k);
          }
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void addOfEqualShapesAndTheInputTwice(Backend be) {
    Tensor x = Tensor.of(iota(6), 2, 3);
    Tensor y = run(be, x, (b, in) -> b.add(in, in));
    for (int i = 0; i < 6; i++) assertEquals(2 * i, y.data()[i], 0f);
  }

  @Test
  void incompatibleBroadcastNamesTheNode() {
    Graph.Builder b = Graph.builder();
    Value in = b.input("x");
    b.output("y", b.named("bad_mul").mul(in, b.constant("c", Tensor.zeros(3))));
    Graph g = b.build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> g.prepare(JAVA, new int[] {2, 4}));
    assertTrue(e.getMessage().contains("bad_mul") && e.getMessage().contains("[2, 4]")
        && e.getMessage().contains("[3]"), e.getMessage());
  }

  @Test
  void concatAlongChannelsAndLastAxis() {
    Tensor x = Tensor.of(iota(2 * 2 * 3), 2, 2, 3);
    Tensor y = run(x, (b, in) -> b.concat(List.of(in, b.constant("z", Tensor.of(new float[] {-1, -2, -3, -4, -5, -6},
        2, 1, 3))), 1));
    assertArrayEquals(new int[] {2, 3, 3}, y.shape());
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, -1, -2, -3, 6, 7, 8, 9, 10, 11, -4, -5, -6}, y.data(), 0f);
    Tensor z = run(x, (b, in) -> b.concat(List.of(in, in), -1));
    assertArrayEquals(new int[] {2, 2, 6}, z.shape());
    assertArrayEquals(new float[] {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}, java.util.Arrays.copyOf(z.data(), 12), 0f);
  }

  @Test
  void concatShapeMismatchIsAnError() {
    Graph.Builder b = Graph.builder();
    Value in = b.input("x");
    b.output("y", b.named("cat").concat(List.of(in, b.constant("c", Tensor.zeros(2, 5))), 0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> b.build().prepare(JAVA, new int[] {2, 4}));
    assertTrue(e.getMessage().contains("cat") && e.getMessage().contains("[2, 5]"), e.getMessage());
  }

  @Test
  void padModesOnTheLastDimension() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 1, 4);
    int[] pads = {0, 0, 0, 2, 0, 0, 0, 1};
    assertArrayEquals(new float[] {9, 9, 1, 2, 3, 4, 9}, run(x, (b, in) -> b.pad(in, 9f, pads)).data(), 0f);
    assertArrayEquals(new float[] {0, 0, 1, 2, 3, 4, 0},
        run(x, (b, in) -> b.pad(in, PaddingMode.ZEROS, pads)).data(), 0f);
    assertArrayEquals(new float[] {3, 2, 1, 2, 3, 4, 3},
        run(x, (b, in) -> b.pad(in, PaddingMode.REFLECT, pads)).data(), 0f);
    assertArrayEquals(new float[] {1, 1, 1, 2, 3, 4, 4},
        run(x, (b, in) -> b.pad(in, PaddingMode.REPLICATE, pads)).data(), 0f);
    assertArrayEquals(new float[] {3, 4, 1, 2, 3, 4, 1},
        run(x, (b, in) -> b.pad(in, PaddingMode.CIRCULAR, pads)).data(), 0f);
    // negative pads crop
    assertArrayEquals(new float[] {2, 3}, run(x, (b, in) -> b.pad(in, 0f, 0, 0, 0, -1, 0, 0, 0, -1)).data(), 0f);
  }

  @Test
  void padOfNothingAliasesItsInputWithoutAStep() {
    Tensor x = Tensor.of(new float[] {-1, 2, -3, 4}, 1, 1, 2, 2);
    Graph.Builder b = Graph.builder();
    Value in = b.input("x");
    b.output("y", b.activation(b.pad(b.activation(in, Activation.RELU), 0f, new int[8]), Activation.RELU));
    try (PreparedModel m = b.build().prepare(JAVA, x.shape())) {
      assertEquals(2, m.stepCount(), m.describe());
      assertArrayEquals(new float[] {0, 2, 0, 4}, m.run(x).data(), 0f);
    }
    // a pad of nothing as the whole graph still gives the output its own copy of the input
    Tensor y = run(x, (g, v) -> g.pad(v, PaddingMode.REFLECT, new int[8]));
    assertArrayEquals(x.data(), y.data(), 0f);
    assertNotSame(x.data(), y.data());
  }

  @Test
  void padTwoDimensionsAndChannels() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4}, 1, 1, 2, 2);
    // H: 1 before; W: 1 after; C: 1 after (constant -1)
    Tensor y = run(x, (b, in) -> b.pad(in, -1f, 0, 0, 1, 0, 0, 1, 0, 1));
    assertArrayEquals(new int[] {1, 2, 3, 3}, y.shape());
    assertArrayEquals(new float[] {-1, -1, -1, 1, 2, -1, 3, 4, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1}, y.data(), 0f);
    Tensor r = run(x, (b, in) -> b.pad(in, PaddingMode.REPLICATE, 0, 0, 1, 1, 0, 0, 0, 0));
    assertArrayEquals(new float[] {1, 1, 2, 1, 1, 2, 3, 3, 4}, r.data(), 0f);
  }

  @Test
  void reflectPadTooLargeIsAnError() {
    Graph.Builder b = Graph.builder();
    b.output("y", b.named("p").pad(b.input("x"), PaddingMode.REFLECT, 0, 2, 0, 0));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> b.build().prepare(JAVA, new int[] {1, 2}));
    assertTrue(e.getMessage().contains("node p") && e.getMessage().contains("reflect"), e.getMessage());
  }

  @Test
  void transposeMovesEveryElement() {
    Tensor x = Tensor.of(iota(2 * 3 * 4), 2, 3, 4);
    Tensor y = run(x, (b, in) -> b.transpose(in, 2, 0, 1));
    assertArrayEquals(new int[] {4, 2, 3}, y.shape());
    for (int i = 0; i < 2; i++) {
      for (int j = 0; j < 3; j++) {
        for (int k = 0; k < 4; k++) assertEquals(x.data()[(i * 3 + j) * 4 + k], y.data()[(k * 2 + i) * 3 + j], 0f);
      }
    }
    assertThrows(IllegalArgumentException.class, () -> Graph.builder().transpose(null, 0, 0));
  }

  @Test
  void reshapeFlattenAndIdentityKeepTheData() {
    Tensor x = Tensor.of(iota(2 * 3 * 4), 2, 3, 4);
    Tensor r = run(x, (b, in) -> b.reshape(in, 0, -1));
    assertArrayEquals(new int[] {2, 12}, r.shape());
    assertArrayEquals(x.data(), r.data(), 0f);
    assertArrayEquals(new int[] {2, 3, 4}, run(x, (b, in) -> b.identity(in)).shape());
    assertArrayEquals(new int[] {2, 12}, run(x, (b, in) -> b.flatten(in, 1)).shape());
    assertArrayEquals(new int[] {24}, run(x, (b, in) -> b.flatten(in, 0)).shape());
    assertArrayEquals(new int[] {2, 3, 4}, run(x, (b, in) -> b.flatten(in, -1)).shape());
    Graph.Builder b = Graph.builder();
    b.output("y", b.named("r").reshape(b.input("x"), 5, -1));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> b.build().prepare(JAVA, new int[] {2, 3, 4}));
    assertTrue(e.getMessage().contains("node r") && e.getMessage().contains("24"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Graph.builder().reshape(null, -1, -1));
  }

  @ParameterizedTest
  @MethodSource("backends")
  void softmaxOverTheMiddleDimension(Backend be) {
    Tensor x = Tensor.of(new float[] {0, 1, 2, 3, 4, 5}, 1, 3, 2);
    Tensor y = run(be, x, (b, in) -> b.softmax(in, 1, false));
    Tensor ly = run(be, x, (b, in) -> b.softmax(in, -2, true));
    for (int w = 0; w < 2; w++) {
      double sum = 0;
      for (int c = 0; c < 3; c++) sum += Math.exp(x.data()[c * 2 + w]);
      for (int c = 0; c < 3; c++) {
        double p = Math.exp(x.data()[c * 2 + w]) / sum;
        assertEquals(p, y.data()[c * 2 + w], 1e-6);
        assertEquals(Math.log(p), ly.data()[c * 2 + w], 1e-6);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void standaloneActivations(Backend be) {
    Tensor x = Tensor.of(new float[] {-7, -1, 0, 2, 8}, 1, 5);
    assertArrayEquals(new float[] {0, 0, 0, 2, 6}, run(be, x, (b, in) -> b.activation(in, Activation.RELU6)).data(), 0f);
    assertArrayEquals(new float[] {-0.7f, -0.1f, 0, 2, 8},
        run(be, x, (b, in) -> b.activation(in, Activation.leakyRelu(0.1f))).data(), 1e-7f);
  }

  @Test
  void batchNormWithoutAConvIsAPerChannelAffine() {
    Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, 2, 2, 2); // rank 3: [N, C, L]
    float[] g = {2, 3}, be = {0.5f, -1}, mean = {1, 2}, var = {4, 0.25f};
    float eps = 1e-5f;
    Tensor y = run(x, (b, in) -> b.batchNorm2d(in, g, be, mean, var, eps));
    for (int i = 0; i < 8; i++) {
      int c = (i / 2) % 2;
      double expect = (x.data()[i] - mean[c]) / Math.sqrt(var[c] + (double) eps) * g[c] + be[c];
      assertEquals(expect, y.data()[i], 1e-5, "index " + i);
    }
  }
}
