package org.conv4j.backend.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.conv4j.backend.Conv2dAlgorithm;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dSpec;

/**
 * One case of the native depthwise sweeps: random input, weights and bias, the native DEPTHWISE plan against the
 * Java reference's DIRECT conv, with no residual, a separate one or one in place (the output span itself), input
 * and output at offsets inside NaN-filled, guarded arrays. Tolerance: reductionTolerance with K = kh*kw.
 */
abstract class DepthwiseNativeVsJavaTestBase extends NativeOpsTestBase {
  static final Activation[] ACTS = {Activation.NONE, Activation.RELU, Activation.RELU6,
      Activation.leakyRelu(0.1f), Activation.SIGMOID, Activation.TANH};

  /** residualKind: 0 none, 1 separate, 2 in place. */
  static void checkDepthwise(SplittableRandom r, Conv2dSpec spec, int h, int w, int batch, int residualKind,
      int threads) {
    nat.setThreads(threads);
    String what = spec + " on " + h + "x" + w + " batch " + batch + " residual " + residualKind + " threads "
        + threads;
    int c = spec.inChannels();
    float[] x = random(r, batch * c * h * w, 1f);
    float[] wt = random(r, (int) spec.weightSize(), 1f / 3);
    float[] b = spec.hasBias() ? random(r, spec.outChannels(), 0.5f) : null;
    try (Conv2dPlan ref = JAVA.conv2d(spec, h, w, wt, b, Conv2dAlgorithm.DIRECT);
        Conv2dPlan refAbs = JAVA.conv2d(spec.toBuilder().activation(Activation.NONE).build(), h, w, abs(wt),
            abs(b), Conv2dAlgorithm.DIRECT);
        Conv2dPlan got = nat.conv2d(spec, h, w, wt, b, Conv2dAlgorithm.DEPTHWISE)) {
      assertEquals(Conv2dAlgorithm.DEPTHWISE, got.algorithm(), what);
      int n = batch * got.outputSize();
      float[] residual = residualKind == 0 ? null : random(r, n, 1f);
      float[] expected = new float[n];
      ref.run(x, 0, expected, 0, batch, residual, 0);
      float[] bound = new float[n];
      refAbs.run(abs(x), 0, bound, 0, batch, abs(residual), 0);
      float[] y;
      if (residualKind == 2) {
        y = residual.clone(); // in place: the residual is the output span itself
        got.run(x, 0, y, 0, batch, y, 0);
      } else {
        float[] ys = guarded(1, n, 3);
        got.run(embed(x, 1, 2, Float.NaN), 1, ys, 1, batch, residual, 0);
        y = span(ys, 1, n, what);
      }
      assertClose(expected, y, reductionTolerance(bound, spec.kernelH() * spec.kernelW()), what);
    }
  }
}
