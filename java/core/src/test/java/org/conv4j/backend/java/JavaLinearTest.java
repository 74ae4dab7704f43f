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
}
