package org.conv4j.backend.java;

import static org.conv4j.backend.java.TestArrays.assertClose;
import static org.conv4j.backend.java.TestArrays.assertExact;
import static org.conv4j.backend.java.TestArrays.random;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.conv4j.spec.Activation;
import org.junit.jupiter.api.Test;

class JavaElementwiseTest {
  private static final JavaBackend JAVA = JavaBackend.instance();
  private static final float[] X = {-2, -0.5f, 0, 0.5f, 7};

  private static float[] act(Activation a) {
    float[] y = new float[X.length];
    JAVA.activation(a, X, 0, y, 0, X.length);
    return y;
  }

  @Test
  void piecewiseActivations() {
    assertExact(X, act(Activation.NONE), "none");
    assertExact(new float[] {0, 0, 0, 0.5f, 7}, act(Activation.RELU), "relu");
    assertExact(new float[] {-0.2f, -0.05f, 0, 0.5f, 7}, act(Activation.leakyRelu(0.1f)), "leaky_relu(0.1)");
    assertExact(new float[] {0, 0, 0, 0.5f, 6}, act(Activation.RELU6), "relu6");
    assertExact(new float[] {-1, -0.5f, 0, 0.5f, 1}, act(Activation.clamp(-1, 1)), "clamp(-1, 1)");
  }

  @Test
  void sigmoidAndTanhAreAccurate() {
    // values from the closed forms, to float precision
    float[] s = act(Activation.SIGMOID);
    assertClose(new float[] {0.11920292f, 0.37754068f, 0.5f, 0.62245935f, 0.99908894f}, s, 1e-7, "sigmoid");
    float[] t = act(Activation.TANH);
    assertClose(new float[] {-0.9640276f, -0.46211716f, 0, 0.46211716f, 0.99999833f}, t, 1e-7, "tanh");
    float[] far = {-20, 20, -1000, 1000};
    float[] y = new float[4];
    JAVA.activation(Activation.SIGMOID, far, 0, y, 0, 4);
    assertEquals(2.0611537e-9f, y[0], 1e-15f); // 1 / (1 + e^20): no cancellation to 0 or 1 - 1
    assertExact(new float[] {1, 0, 1}, new float[] {y[1], y[2], y[3]}, "sigmoid saturation");
  }

  @Test
  void activationInPlaceAndAtOffsets() {
    float[] a = {9, -3, 4, 9};
    JAVA.activation(Activation.RELU, a, 1, a, 1, 2);
    assertExact(new float[] {9, 0, 4, 9}, a, "in place");
  }

  /**
   * The kernels' ReLU (activationOfSums) is the reference ReLU bit for bit on every float a sum can produce: all but
   * -0, extremes, denormals and NaN included (a vectorised Math.max must not turn NaN into 0 or -1 into -0).
   */
  @Test
  void reluOfSumsIsTheReferenceReluBitForBit() {
    float[] special = {0f, Float.MIN_VALUE, -Float.MIN_VALUE, 1e-40f, -1e-40f, Float.MIN_NORMAL, -Float.MIN_NORMAL,
        1f, -1f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
        Float.intBitsToFloat(0xffc00001)};
    java.util.SplittableRandom r = new java.util.SplittableRandom(7);
    float[] x = new float[1000];
    for (int i = 0; i < x.length; i++) {
      x[i] = i < special.length ? special[i] : Float.intBitsToFloat(r.nextInt());
      if (Float.floatToRawIntBits(x[i]) == 0x80000000) x[i] = 0f; // a sum is never -0
    }
    float[] y = new float[x.length + 3];
    System.arraycopy(x, 0, y, 3, x.length);
    JavaElementwise.activationOfSums(Activation.RELU, y, 3, x.length);
    for (int i = 0; i < x.length; i++) {
      assertEquals(Float.floatToRawIntBits(Activation.RELU.apply(x[i])), Float.floatToRawIntBits(y[3 + i]),
          "relu(" + x[i] + ") at " + i);
    }
  }

  @Test
  void softmaxRowsSumToOneAndMatchTheClosedForm() {
    float[] y = new float[3];
    JAVA.softmax(new float[] {1, 2, 3}, 0, y, 0, 1, 3, 1, false);
    assertClose(new float[] {0.09003057f, 0.24472847f, 0.66524096f}, y, 1e-7, "softmax [1,2,3]");
    JAVA.softmax(new float[] {1, 2, 3}, 0, y, 0, 1, 3, 1, true);
    assertClose(new float[] {-2.4076059f, -1.4076059f, -0.4076059f}, y, 1e-7, "log_softmax [1,2,3]");
    // huge logits stay finite: the max is subtracted before exp
    float[] big = new float[2];
    JAVA.softmax(new float[] {1000, 1001}, 0, big, 0, 1, 2, 1, false);
    assertClose(new float[] {0.26894142f, 0.7310586f}, big, 1e-7, "softmax [1000, 1001]");

    int outer = 3, dim = 7, inner = 5;
    float[] x = random(42, outer * dim * inner);
    for (int i = 0; i < x.length; i++) x[i] *= 30;
    float[] p = new float[x.length];
    JAVA.softmax(x, 0, p, 0, outer, dim, inner, false);
    float[] lp = new float[x.length];
    JAVA.softmax(x, 0, lp, 0, outer, dim, inner, true);
    for (int o = 0; o < outer; o++) {
      for (int in = 0; in < inner; in++) {
        double sum = 0;
        for (int d = 0; d < dim; d++) {
          int i = (o * dim + d) * inner + in;
          sum += p[i];
          assertEquals(Math.log(p[i]), lp[i], 1e-5 * (1 + Math.abs(lp[i])), "log_softmax = log(softmax) at " + i);
        }
        assertEquals(1.0, sum, 1e-6, "slice (" + o + ", " + in + ") sums to 1");
      }
    }
    // the softmax runs over the middle axis: shifting one (outer, inner) slice by a constant changes nothing
    float[] shifted = x.clone();
    for (int d = 0; d < dim; d++) shifted[(1 * dim + d) * inner + 2] += 5;
    float[] q = new float[x.length];
    JAVA.softmax(shifted, 0, q, 0, outer, dim, inner, false);
    assertClose(p, q, 1e-6, "shift invariance per slice");
  }

  @Test
  void addAtOffsetsAndInPlace() {
    float[] a = {0, 1, 2, 3};
    float[] b = {10, 20, 30};
    float[] y = new float[3];
    JAVA.add(a, 1, b, 0, y, 0, 3);
    assertExact(new float[] {11, 22, 33}, y, "add");
    JAVA.add(y, 0, y, 0, y, 0, 3);
    assertExact(new float[] {22, 44, 66}, y, "add in place");
  }
}
