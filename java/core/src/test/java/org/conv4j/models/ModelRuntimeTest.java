package org.conv4j.models;

import static org.conv4j.graph.TestSupport.assertSame;
import static org.conv4j.graph.TestSupport.randomTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.graph.Layout;
import org.conv4j.graph.PrepareOptions;
import org.conv4j.graph.PreparedModel;
import org.conv4j.graph.TestSupport;
import org.conv4j.io.Npy;
import org.conv4j.nn.Model;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The runtime contract on a real model (TinyNet from the PyTorch fixture): NHWC, caller tensors, threads, fusion. */
class ModelRuntimeTest {
  static List<Backend> backends() {
    return TestSupport.backends();
  }

  private static Model tinynet() throws Exception {
    return TinyNet.network().load(ModelFixturesTest.small("tinynet").resolve("weights.safetensors"));
  }

  private static Tensor nhwc(Tensor x) {
    int n = x.dim(0), c = x.dim(1), h = x.dim(2), w = x.dim(3);
    float[] out = new float[x.numel()];
    for (int i = 0; i < n; i++)
      for (int ch = 0; ch < c; ch++)
        for (int y = 0; y < h; y++)
          for (int xx = 0; xx < w; xx++) out[((i * h + y) * w + xx) * c + ch] = x.data()[((i * c + ch) * h + y) * w + xx];
    return Tensor.of(out, n, h, w, c);
  }

  @ParameterizedTest
  @MethodSource("backends")
  void nhwcFlagAndCallerTensor(Backend be) throws Exception {
    Model m = tinynet();
    Tensor x = Npy.read(ModelFixturesTest.small("tinynet").resolve("input.npy"));
    try (PreparedModel nchw = m.prepare(be, 2);
        PreparedModel nh = m.prepare(be, 2, PrepareOptions.DEFAULT.withLayout(Layout.NHWC))) {
      Tensor expected = nchw.run(x);
      assertArrayEquals(new int[] {2, 20, 20, 3}, nh.inputShape());
      Tensor out = Tensor.zeros(2, 10);
      nh.run(nhwc(x), out);
      assertSame(expected, out, "NHWC into the caller's tensor");
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void fusedAndUnfusedAgree(Backend be) throws Exception {
    Model m = tinynet();
    Tensor x = Npy.read(ModelFixturesTest.small("tinynet").resolve("input.npy"));
    try (PreparedModel fused = m.prepare(be, 2);
        PreparedModel plain = m.prepare(be, 2, PrepareOptions.DEFAULT.withFuse(false))) {
      assertTrue(fused.stepCount() < plain.stepCount(), fused.describe());
      TestSupport.assertCloseScaled(plain.run(x), fused.run(x), 1e-5, "fused vs unfused TinyNet");
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void twoThreadsOnOneModel(Backend be) throws Exception {
    try (PreparedModel p = tinynet().prepare(be, 1)) {
      List<Tensor> inputs = List.of(randomTensor(1, 1, 3, 20, 20), randomTensor(2, 1, 3, 20, 20));
      List<Tensor> expected = new ArrayList<>();
      for (Tensor x : inputs) expected.add(p.run(x));
      ExecutorService pool = Executors.newFixedThreadPool(2);
      try {
        List<Future<?>> fs = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          Tensor x = inputs.get(t), e = expected.get(t);
          fs.add(pool.submit(() -> {
            Tensor out = Tensor.zeros(1, 10);
            for (int i = 0; i < 100; i++) {
              p.run(x, out);
              assertSame(e, out, "run " + i);
            }
          }));
        }
        for (Future<?> f : fs) f.get();
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
