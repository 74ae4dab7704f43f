package org.conv4j.backend.java;

import static org.conv4j.spec.Rejections.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.conv4j.backend.Backend;
import org.conv4j.backend.BackendKind;
import org.conv4j.backend.Backends;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.conv4j.spec.LinearSpec;
import org.junit.jupiter.api.Test;

/** Weight, bias and run-span checks reach the Java backend's callers as messages naming the parameter. */
class JavaBackendArgumentsTest {
  private static final JavaBackend JAVA = JavaBackend.instance();

  @Test
  void weightAndBiasLengths() {
    Conv2dSpec spec = Conv2dSpec.builder(4, 6, 3).groups(2).build();
    assertRejected(() -> JAVA.conv2d(spec, 5, 5, new float[6 * 2 * 9 - 1], new float[6]), "weight", "108",
        "[6, 2, 3, 3]", "107");
    assertRejected(() -> JAVA.conv2d(spec, 5, 5, new float[108], new float[5]), "bias", "6", "5");
    assertRejected(() -> JAVA.conv2d(spec, 5, 5, new float[108], null), "bias must not be null");
    Conv2dSpec noBias = Conv2dSpec.builder(4, 6, 3).groups(2).bias(false).build();
    assertRejected(() -> JAVA.conv2d(noBias, 5, 5, new float[108], new float[6]), "bias", "bias=false");
    ConvTranspose2dSpec t = ConvTranspose2dSpec.builder(4, 6, 2).groups(2).build();
    assertRejected(() -> JAVA.convTranspose2d(t, 3, 3, new float[6 * 4 * 4], new float[6]), "weight",
        "[4, 3, 2, 2]", "48", "96");
    assertRejected(() -> JAVA.linear(new LinearSpec(3, 2), new float[5], new float[2]), "weight", "[2, 3]", "6");
  }

  @Test
  void runSpans() {
    Conv2dPlan plan = JAVA.conv2d(Conv2dSpec.builder(1, 2, 1).build(), 2, 2, new float[2], new float[2]);
    assertRejected(() -> plan.run(new float[7], 0, new float[16], 0, 2), "input", "8", "length 7");
    assertRejected(() -> plan.run(new float[8], 1, new float[16], 0, 2), "input", "offset 1");
    assertRejected(() -> plan.run(new float[8], 0, new float[16], -1, 2), "output", "offset -1");
    assertRejected(() -> plan.run(new float[8], 0, new float[15], 0, 2), "output", "16", "length 15");
    assertRejected(() -> plan.run(new float[8], 0, new float[16], 0, 0), "batch", "0");
    assertRejected(() -> plan.run(new float[8], 0, new float[16], 0, 2, new float[16], 1), "residual", "16",
        "offset 1");
    assertRejected(() -> JAVA.activation(Activation.RELU, new float[3], 1, new float[3], 0, 3), "x", "offset 1");
    assertRejected(() -> JAVA.softmax(new float[6], 0, new float[6], 0, 2, 0, 3, false), "dim", "0");
    assertRejected(() -> JAVA.add(new float[3], 0, new float[2], 0, new float[3], 0, 3), "b", "length 2");
  }

  @Test
  void threads() {
    int saved = JAVA.threads();
    try {
      assertEquals(Runtime.getRuntime().availableProcessors(), saved, "default: one thread per core");
      assertRejected(() -> JAVA.setThreads(0), "threads", "0");
      assertRejected(() -> JAVA.setThreads(Backend.MAX_THREADS + 1), "threads", "1024", "1025");
      JAVA.setThreads(3);
      assertEquals(3, JAVA.threads());
    } finally {
      JAVA.setThreads(saved);
    }
  }

  @Test
  void backendSelection() {
    assertSame(JAVA, Backends.get("java"));
    assertSame(JAVA, Backends.get(" JAVA "));
    assertEquals(BackendKind.NATIVE, BackendKind.parse("x", "Native"));
    assertRejected(() -> BackendKind.parse("system property conv4j.backend", "gpu"),
        "system property conv4j.backend", "auto, native or java", "\"gpu\"");
    assertRejected(() -> Backends.get("javaa"), "backend", "\"javaa\"");
    assertRejected(() -> BackendKind.parse("backend", null), "backend", "null");
  }
}
