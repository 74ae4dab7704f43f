package org.conv4j.graph;

import static org.conv4j.graph.TestSupport.assertSame;
import static org.conv4j.graph.TestSupport.random;
import static org.conv4j.graph.TestSupport.randomTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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

/** The runtime contract: layouts, caller tensors, batch sizes, threads, buffer reuse and errors. */
class PreparedModelTest {
  private static final Backend JAVA = Backends.get(BackendKind.JAVA);

  static List<Backend> backends() {
    return TestSupport.backends();
  }

  /** conv(3->4, 3x3, pad 1) + relu -> maxpool 2 -> flatten -> linear(4*4*4 -> 3). */
  private static Graph smallCnn() {
    Graph.Builder b = Graph.builder();
    Value x = b.input("image");
    Value y = b.named("conv").conv2d(x, Conv2dSpec.builder(3, 4, 3).padding(1).build(), random(1, 108),
        random(2, 4));
    y = b.named("relu").activation(y, Activation.RELU);
    y = b.pool2d(y, Pool2dSpec.max(2).build());
    y = b.flatten(y, 1);
    y = b.named("fc").linear(y, new LinearSpec(64, 3), random(3, 192), random(4, 3));
    b.output("logits", y);
    return b.build();
  }

  @ParameterizedTest
  @MethodSource("backends")
  void nhwcInputGivesTheSameResult(Backend be) {
    Graph g = smallCnn();
    Tensor x = randomTensor(11, 2, 3, 8, 8);
    try (PreparedModel nchw = g.prepare(be, x.shape());
        PreparedModel nhwc = g.prepare(be, new int[] {2, 8, 8, 3}, PrepareOptions.DEFAULT.withLayout(Layout.NHWC))) {
      assertArrayEquals(new int[] {2, 8, 8, 3}, nhwc.inputShape());
      assertSame(nchw.run(x), nhwc.run(TestSupport.toNhwc(x)), "NHWC vs NCHW");
      assertThrows(IllegalArgumentException.class, () -> nhwc.run(x)); // an NCHW tensor does not fit
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void runIntoTheCallersTensor(Backend be) {
    try (PreparedModel m = smallCnn().prepare(be, new int[] {1, 3, 8, 8})) {
      Tensor x = randomTensor(12, 1, 3, 8, 8);
      Tensor expected = m.run(x);
      Tensor out = Tensor.of(new float[] {7, 7, 7}, 1, 3);
      float[] array = out.data();
      m.run(x, out);
      assertTrue(out.data() == array);
      assertSame(expected, out, "run into caller tensor");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> m.run(x, Tensor.zeros(1, 4)));
      assertTrue(e.getMessage().contains("logits") && e.getMessage().contains("[1, 3]"), e.getMessage());
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void anotherBatchSizeEqualsPerImageRuns(Backend be) {
    try (PreparedModel m = smallCnn().prepare(be, new int[] {1, 3, 8, 8})) {
      Tensor x = randomTensor(13, 3, 3, 8, 8);
      Tensor y = m.run(x);
      assertArrayEquals(new int[] {3, 3}, y.shape());
      assertArrayEquals(new int[] {5, 3}, m.outputShape(0, 5));
      for (int i = 0; i < 3; i++) {
        float[] one = java.util.Arrays.copyOfRange(x.data(), i * 192, (i + 1) * 192);
        Tensor yi = m.run(Tensor.of(one, 1, 3, 8, 8));
        assertArrayEquals(yi.data(), java.util.Arrays.copyOfRange(y.data(), i * 3, i * 3 + 3), 1e-5f, "image " + i);
      }
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> m.run(randomTensor(1, 1, 3, 8, 9)));
      assertTrue(e.getMessage().contains("[1, 3, 8, 9]") && e.getMessage().contains("[N, 3, 8, 8]"), e.getMessage());
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void twoThreadsGetTheSameOutputs(Backend be) throws Exception {
    try (PreparedModel m = smallCnn().prepare(be, new int[] {2, 3, 8, 8})) {
      Tensor[] inputs = {randomTensor(21, 2, 3, 8, 8), randomTensor(22, 2, 3, 8, 8)};
      Tensor[] expected = {m.run(inputs[0]), m.run(inputs[1])};
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Callable<Void>> jobs = List.of(job(m, inputs[0], expected[0]), job(m, inputs[1], expected[1]));
        for (Future<Void> f : pool.invokeAll(jobs)) f.get();
      } finally {
        pool.shutdownNow();
      }
    }
  }

  private static Callable<Void> job(PreparedModel m, Tensor x, Tensor expected) {
    return () -> {
      Tensor out = Tensor.zeros(expected.shape());
      for (int i = 0; i < 200; i++) {
        m.run(x, out);
        assertSame(expected, out, "concurrent run " + i);
      }
      return null;
    };
  }

  @Test
  void buffersAreReusedAlongAChain() {
    Graph.Builder b = Graph.builder();
    Value v = b.input("x");
    for (int i = 0; i < 10; i++) v = b.activation(v, i % 2 == 0 ? Activation.TANH : Activation.SIGMOID);
    b.output("y", v);
    Tensor x = randomTensor(30, 1, 4, 8, 8);
    try (PreparedModel m = b.build().prepare(JAVA, x.shape())) {
      // 9 intermediates ping-pong between two buffers; the 10th is written into the caller's output
      assertEquals(2 * 256, m.workspaceFloats());
      float[] expect = x.data().clone();
      for (int i = 0; i < 10; i++) {
        Activation a = i % 2 == 0 ? Activation.TANH : Activation.SIGMOID;
        for (int j = 0; j < expect.length; j++) expect[j] = a.apply(expect[j]);
      }
      assertArrayEquals(expect, m.run(x).data(), 1e-6f);
    }
  }

  @Test
  void outputsThatAreTheInputOrAConstantAreCopies() {
    Graph.Builder b = Graph.builder();
    Value x = b.input("x");
    Value c = b.constant("c", Tensor.of(new float[] {5, 6}, 2));
    b.output("same", b.identity(x));
    b.output("const", c);
    b.output("sum", b.add(x, c));
    Tensor in = Tensor.of(new float[] {1, 2, 3, 4}, 2, 2);
    try (PreparedModel m = b.build().prepare(JAVA, in.shape())) {
      List<Tensor> outs = m.runAll(in);
      assertArrayEquals(in.data(), outs.get(0).data(), 0f);
      assertTrue(outs.get(0).data() != in.data());
      assertArrayEquals(new float[] {5, 6}, outs.get(1).data(), 0f);
      assertArrayEquals(new float[] {6, 8, 8, 10}, outs.get(2).data(), 0f);
      assertEquals(List.of("same", "const", "sum"), m.outputNames());
      assertArrayEquals(in.data(), m.run(in).data(), 0f);
    }
  }

  @Test
  void shapeErrorsNameTheNodeAndShapes() {
    Graph.Builder b = Graph.builder();
    Value x = b.input("x");
    b.output("y", b.named("layer1.0.conv1").conv2d(x, Conv2dSpec.builder(3, 4, 3).build(), random(1, 108), random(2, 4)));
    Graph g = b.build();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> g.prepare(JAVA, new int[] {1, 5, 8, 8}));
    assertTrue(e.getMessage().contains("layer1.0.conv1") && e.getMessage().contains("[1, 5, 8, 8]")
        && e.getMessage().contains("inChannels 3"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> g.prepare(JAVA, new int[] {1, 3, 2, 2}));
    assertTrue(e.getMessage().contains("layer1.0.conv1") && e.getMessage().contains("kernel"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> g.prepare(JAVA, new int[] {0, 3, 8, 8}));
    assertTrue(e.getMessage().contains("inputShape"), e.getMessage());
  }

  @Test
  void builderRejectsMisuse() {
    Graph.Builder b = Graph.builder();
    Value x = b.input("x");
    assertThrows(IllegalArgumentException.class, () -> b.input("second"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> b.named("c").conv2d(x, Conv2dSpec.builder(3, 4, 3).build(), new float[10], new float[4]));
    assertTrue(e.getMessage().contains("c weight") && e.getMessage().contains("108"), e.getMessage());
    Value other = Graph.builder().input("y");
    assertThrows(IllegalArgumentException.class, () -> b.activation(other, Activation.RELU));
    assertEquals("r", b.named("r").activation(x, Activation.RELU).name());
    assertEquals("r_1", b.named("r").activation(x, Activation.RELU).name()); // a module used twice
    assertThrows(IllegalArgumentException.class, b::build); // no output
    b.output("x", x);
    b.build();
    assertThrows(IllegalStateException.class, () -> b.activation(x, Activation.RELU));
  }

  @Test
  void closedModelRefusesToRun() {
    PreparedModel m = smallCnn().prepare(JAVA, new int[] {1, 3, 8, 8});
    m.close();
    m.close();
    assertThrows(IllegalStateException.class, () -> m.run(randomTensor(1, 1, 3, 8, 8)));
  }

  @Test
  void anOpTheKernelCannotRunFailsAtPrepareNamingTheNode() {
    // the Java backend's DEPTHWISE needs one input channel per group, which this conv does not have; a forced one is
    // refused when the plan is prepared
    PrepareOptions forced = PrepareOptions.DEFAULT.withConvAlgorithm(org.conv4j.backend.Conv2dAlgorithm.DEPTHWISE);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> smallCnn().prepare(JAVA, new int[] {1, 3, 8, 8}, forced));
    assertTrue(e.getMessage().contains("node conv+relu") && e.getMessage().contains("[1, 3, 8, 8]"), e.getMessage());
  }
}
