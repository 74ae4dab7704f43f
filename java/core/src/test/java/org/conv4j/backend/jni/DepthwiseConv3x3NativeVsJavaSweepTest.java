package org.conv4j.backend.jni;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
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
class DepthwiseConv3x3NativeVsJavaSweepTest extends DepthwiseNativeVsJavaTestBase {

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
      checkDepthwise(r, spec, h, w, batch, residualKind, 1 + r.nextInt(2));
      count(seen, "stride " + stride);
      count(seen, "mult " + mult);
      count(seen, "residual " + residualKind);
      if (w % 8 != 0) count(seen, "width tail");
    }
    assertCovered(seen, "stride 1", "stride 2", "mult 1", "mult 2", "mult 3", "residual 0", "residual 1",
        "residual 2", "width tail");
  }

  /**
   * Stride 2 on planes whose output rows are wider than 28 (the row path, straight from the input rows: plain loads
   * inside the row, masked ones at its borders, a zero row above and below): output widths 29-66, every left pad
   * 0-3 and right pad 0-2, odd and even input widths, heights 1-9.
   */
  @Test
  void depthwise3x3Stride2WideRowsMatchJava() {
    SplittableRandom r = new SplittableRandom(0x5252L);
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 80; i++) {
      int c = 1 + r.nextInt(6), mult = 1 + r.nextInt(2);
      int w = 57 + r.nextInt(76), h = 1 + r.nextInt(9), pl = i % 4, pr = r.nextInt(3), pt = r.nextInt(3);
      int pb = r.nextInt(3);
      if (h + pt + pb < 3) continue;
      Conv2dSpec spec = Conv2dSpec.builder(c, c * mult, 3).groups(c).stride(2).padding(pt, pl, pb, pr)
          .bias(r.nextBoolean()).activation(ACTS[r.nextInt(ACTS.length)]).build();
      int residualKind = r.nextInt(3);
      checkDepthwise(r, spec, h, w, 1 + r.nextInt(2), residualKind, 1 + r.nextInt(2));
      count(seen, "pad left " + pl);
      count(seen, "residual " + residualKind);
      count(seen, "input width " + (w % 2 == 0 ? "even" : "odd"));
    }
    assertCovered(seen, "pad left 0", "pad left 1", "pad left 2", "pad left 3", "residual 0", "residual 1",
        "residual 2", "input width even", "input width odd");
  }
}
