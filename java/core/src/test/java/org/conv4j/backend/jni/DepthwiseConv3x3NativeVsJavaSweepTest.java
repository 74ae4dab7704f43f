package org.conv4j.backend.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.conv4j.backend.Conv2dAlgorithm;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dSpec;
import org.junit.jupiter.api.Test;

/**
 * The native depthwise 3x3 stride 1/2 fast path (padded rows in scratch, two output rows per pass, even/odd column
 * split for stride 2) against the Java reference's DIRECT conv, on sizes around its row blocks and vector tails:
 * heights 1-37, widths 1-61, pads 0-2 on each side, channel multipliers 1-3, batch 1-2, every activation, residual
 * separate or in place, one or two threads. The random sweep of Conv2dNativeVsJavaSweepTest reaches this path
 * rarely. Tolerance: NativeOpsTestBase.reductionTolerance with K = 9.
 */
class DepthwiseConv3x3NativeVsJavaSweepTest extends NativeOpsTestBase {
  private static final Activation[] ACTS = {Activation.NONE, Activation.RELU, Activation.RELU6,
      Activation.leakyRelu(0.1f), Activation.SIGMOID, Activation.TANH};

  @Test
  void depthwise3x3MatchesJava() {
    SplittableRandom r = new SplittableRandom(0xD3D3L);
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 300; i++) {
      int c = 1 + r.nextInt(20), mult = 1 + r.nextInt(3), stride = 1 + r.nextInt(2);
      int h = 1 + r.nextInt(37), w = 1 + r.nextInt(61), batch = 1 + r.nextInt(2);
      int pt = r.nextInt(3), pl = r.nextInt(3), pb = r.nextInt(3), pr = r.nextInt(3);
      if (h + pt + pb < 3 || w + pl + pr < 3) continue;
      Activation act = ACTS[r.nextInt(ACTS.length)];
      int residualKind = r.nextInt(3); // none, separate, in place
      Conv2dSpec spec = Conv2dSpec.builder(c, c * mult, 3).groups(c).stride(stride).padding(pt, pl, pb, pr)
          .bias(r.nextBoolean()).activation(act).build();
      int threads = 1 + r.nextInt(2);
      nat.setThreads(threads);
      String what = spec + " on " + h + "x" + w + " batch " + batch + " residual " + residualKind + " threads "
          + threads;
      float[] x = random(r, batch * c * h * w, 1f);
      float[] wt = random(r, (int) spec.weightSize(), 1f / 3);
      float[] b = spec.hasBias() ? random(r, c * mult, 0.5f) : null;
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
        assertClose(expected, y, reductionTolerance(bound, 9), what);
        count(seen, "stride " + stride);
        count(seen, "mult " + mult);
        count(seen, "residual " + residualKind);
        if (w % 8 != 0) count(seen, "width tail");
      }
    }
    assertCovered(seen, "stride 1", "stride 2", "mult 1", "mult 2", "mult 3", "residual 0", "residual 1",
        "residual 2", "width tail");
  }
}
