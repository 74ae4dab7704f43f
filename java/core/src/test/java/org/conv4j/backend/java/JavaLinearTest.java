package org.conv4j.backend.java;

import static org.conv4j.backend.java.TestArrays.assertExact;

import org.conv4j.backend.Plan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.LinearSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JavaLinearTest {
  private static final JavaBackend JAVA = JavaBackend.instance();
  private static final float[] W = {1, 2, 3, 4, 5, 6}; // [[1,2,3],[4,5,6]]
  private final int savedThreads = JAVA.threads();

  @AfterEach
  void restoreThreads() {
    JAVA.setThreads(savedThreads);
  }

  // x rows [1,1,1], [1,0,-1], [2,0,0]: x W^T = [6, 15], [-2, -2], [2, 8]; bias [0.5, -10]
  private static final float[] X = {1, 1, 1, 1, 0, -1, 2, 0, 0};

  /** One and two threads, batch 3 (rows split over threads) and batch 1 (outputs split over threads). */
  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void computesXTimesWTransposedPlusBias(int threads) {
    JAVA.setThreads(threads);
    Plan plan = JAVA.linear(new LinearSpec(3, 2), W, new float[] {0.5f, -10});
    float[] y = new float[6];
    plan.run(X, 0, y, 0, 3);
    assertExact(new float[] {6.5f, 5, -1.5f, -12, 2.5f, -2}, y, "batch 3");
    float[] y1 = {9, 9, 9};
    plan.run(X, 3, y1, 1, 1);
    assertExact(new float[] {9, -1.5f, -12}, y1, "batch 1 at offsets");
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void fusesTheActivationAndWorksWithoutBias(int threads) {
    JAVA.setThreads(threads);
    Plan plan = JAVA.linear(new LinearSpec(3, 2, false, Activation.RELU), W, null);
    float[] y = new float[6];
    plan.run(X, 0, y, 0, 3);
    assertExact(new float[] {6, 15, 0, 0, 2, 8}, y, "relu, no bias");
  }

  /**
   * Both paths against a plain loop: batch 1 and 7 take dot products (in = 37 leaves a remainder after the
   * eight-wide unroll), batch 9 the SGEMM on W^T (out = 21 and in = 37 cut the 16-wide transpose blocks). Small
   * integers keep every sum exact, so any order of summation must match bit for bit.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2})
  void dotProductAndGemmPathsMatchAPlainLoop(int threads) {
    JAVA.setThreads(threads);
    int in = 37, out = 21, maxBatch = 9;
    float[] w = new float[out * in], b = new float[out], x = new float[maxBatch * in];
    for (int i = 0; i < w.length; i++) w[i] = (i * 7 % 11) - 5;
    for (int i = 0; i < b.length; i++) b[i] = i - 10;
    for (int i = 0; i < x.length; i++) x[i] = (i * 5 % 9) - 4;
    Plan plan = JAVA.linear(new LinearSpec(in, out, true, Activation.RELU), w, b);
    for (int batch : new int[] {1, 7, 9, 1}) {
      float[] expected = new float[batch * out], y = new float[batch * out];
      for (int r = 0; r < batch; r++) {
        for (int o = 0; o < out; o++) {
          float acc = b[o];
          for (int i = 0; i < in; i++) acc += x[r * in + i] * w[o * in + i];
          expected[r * out + o] = Math.max(acc, 0f);
        }
      }
      plan.run(x, 0, y, 0, batch);
      assertExact(expected, y, "batch " + batch);
    }
  }
}
