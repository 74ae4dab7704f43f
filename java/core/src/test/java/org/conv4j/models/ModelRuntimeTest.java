package org.conv4j.models;

import static org.conv4j.graph.TestSupport.assertSame;
import static org.conv4j.graph.TestSupport.randomTensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.backend.BackendKind;
import org.conv4j.backend.Backends;
import org.conv4j.backend.jni.NativeBackend;
import org.conv4j.graph.Layout;
import org.conv4j.graph.PrepareOptions;
import org.conv4j.graph.PreparedModel;
import org.conv4j.graph.TestSupport;
import org.conv4j.io.Npy;
import org.conv4j.nn.Model;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
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
      nh.run(TestSupport.toNhwc(x), out);
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

  /**
   * A warm model allocates nothing per run into the caller's tensor (the workspace pool, the program lookup and the
   * shape checks are allocation-free). Measured on the calling thread on the native backend, whose kernels run in
   * native threads; the Java backend's kernels allocate small task objects of their own. Any per-run allocation
   * is at least 16 bytes, so 200 runs would show 3200 or more.
   */
  @Test
  void warmRunsAllocateNothing() throws Exception {
    Assumptions.assumeTrue(NativeBackend.unavailableReason() == null, "native backend unavailable");
    com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    try (PreparedModel p = tinynet().prepare(Backends.get(BackendKind.NATIVE), 1)) {
      Tensor x = randomTensor(3, 1, 3, 20, 20), out = Tensor.zeros(1, 10);
      for (int i = 0; i < 100; i++) p.run(x, out);
      long id = Thread.currentThread().getId();
      long before = mx.getThreadAllocatedBytes(id);
      for (int i = 0; i < 200; i++) p.run(x, out);
      long bytes = mx.getThreadAllocatedBytes(id) - before;
      assertTrue(bytes < 1024, bytes + " bytes allocated by 200 warm runs");
    }
  }
}
