package org.conv4j.backend.java;

import static org.conv4j.backend.java.TestArrays.assertExact;
import static org.conv4j.backend.java.TestArrays.random;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.backend.Plan;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.conv4j.spec.PaddingMode;
import org.junit.jupiter.api.Test;

/** One plan run from several caller threads at once gives each caller the result it gets alone. */
class JavaBackendConcurrencyTest {
  private static final JavaBackend JAVA = JavaBackend.instance();

  @Test
  void plansAreSafeToShareAcrossThreads() throws Exception {
    Conv2dSpec convSpec = Conv2dSpec.builder(5, 7, 3).padding(1).paddingMode(PaddingMode.REFLECT).build();
    Conv2dPlan conv = JAVA.conv2d(convSpec, 9, 11, random(1, (int) convSpec.weightSize()), random(2, 7));
    ConvTranspose2dSpec tSpec = ConvTranspose2dSpec.builder(5, 3, 3).stride(2).build();
    Plan convT = JAVA.convTranspose2d(tSpec, 9, 11, random(3, (int) tSpec.weightSize()), random(4, 3));
    int callers = 4;
    float[][] inputs = new float[callers][];
    float[][] convAlone = new float[callers][], convTAlone = new float[callers][];
    for (int t = 0; t < callers; t++) {
      inputs[t] = random(100 + t, 2 * conv.inputSize());
      convAlone[t] = new float[2 * conv.outputSize()];
      conv.run(inputs[t], 0, convAlone[t], 0, 2);
      convTAlone[t] = new float[2 * convT.outputSize()];
      convT.run(inputs[t], 0, convTAlone[t], 0, 2);
    }
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < callers; t++) {
        int caller = t;
        done.add(pool.submit(() -> {
          for (int rep = 0; rep < 25; rep++) {
            float[] y = new float[2 * conv.outputSize()];
            conv.run(inputs[caller], 0, y, 0, 2);
            assertExact(convAlone[caller], y, "conv2d, caller " + caller + ", run " + rep);
            float[] z = new float[2 * convT.outputSize()];
            convT.run(inputs[caller], 0, z, 0, 2);
            assertExact(convTAlone[caller], z, "conv_transpose2d, caller " + caller + ", run " + rep);
          }
          return null;
        }));
      }
      for (Future<?> f : done) f.get();
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void poolThreadsAreDaemonsAndWorkIsSplitOverThem() {
    int saved = JAVA.threads();
    try {
      JAVA.setThreads(2);
      java.util.Set<String> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
      for (int rep = 0; rep < 50 && seen.size() < 2; rep++) {
        JAVA.parallelFor(2, (lo, hi) -> {
          Thread t = Thread.currentThread();
          if (t.getName().startsWith("conv4j-java-")) {
            assertTrue(t.isDaemon(), t + " must be a daemon thread");
          }
          seen.add(t.getName());
          try {
            Thread.sleep(5); // keep this chunk busy so the other goes to another thread
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
      }
      assertTrue(seen.size() >= 2, "two chunks ran on " + seen);
      assertFalse(seen.stream().noneMatch(n -> n.startsWith("conv4j-java-")), "no pool thread in " + seen);
    } finally {
      JAVA.setThreads(saved);
    }
  }
}
