package org.conv4j.backend.jni;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dSpec;
import org.junit.jupiter.api.Test;

/**
 * The native depthwise 3x3 stride 1/2 fast path (padded rows in scratch, or straight from the input rows when they
 * are whole vectors with padding 1; two output rows per pass, even/odd column split for stride 2) against the Java
 * reference's DIRECT conv, on sizes around its row blocks and vector tails: heights 1-37, widths 1-61, pads 0-2 on
 * each side, channel multipliers 1-3, batch 1-2, every activation, residual separate or in place, one or two
 * threads. The random sweep of Conv2dNativeVsJavaSweepTest reaches this path rarely. Tolerance:
 * NativeOpsTestBase.reductionTolerance with K = 9.
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
   * Stride 1 with padding 1 left and right on widths that are whole vectors (16-120: rows read straight from the
   * input, the first vector's left tap and the last vector's right tap made from the middle one, a zero row above
   * and below): pads 0-2 above and below, odd and even heights 1-19, 1-6 channels (so two threads split planes into
   * bands of rows, and small maps take the row path), channel multipliers 1-3, batch 1-2, every residual kind.
   */
  @Test
  void depthwise3x3Stride1WholeVectorRowsMatchJava() {
    SplittableRandom r = new SplittableRandom(0x3131L);
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 80; i++) {
      int c = 1 + r.nextInt(6), mult = 1 + r.nextInt(3), w = 8 * (2 + r.nextInt(14)), h = 1 + r.nextInt(19);
      int pt = r.nextInt(3), pb = r.nextInt(3), batch = 1 + r.nextInt(2), threads = 1 + r.nextInt(2);
      if (h + pt + pb < 3) continue;
      Conv2dSpec spec = Conv2dSpec.builder(c, c * mult, 3).groups(c).padding(pt, 1, pb, 1).bias(r.nextBoolean())
          .activation(ACTS[r.nextInt(ACTS.length)]).build();
      int residualKind = r.nextInt(3);
      checkDepthwise(r, spec, h, w, batch, residualKind, threads);
      count(seen, "pad top " + pt);
      count(seen, "pad bottom " + pb);
      count(seen, "residual " + residualKind);
      count(seen, "height " + (h % 2 == 0 ? "even" : "odd"));
      if (threads == 2 && c * mult * batch < 6) count(seen, "bands");
    }
    assertCovered(seen, "pad top 0", "pad top 1", "pad top 2", "pad bottom 0", "pad bottom 2", "residual 0",
        "residual 1", "residual 2", "height even", "height odd", "bands");
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
    for (int i = 0; i < 80; i++) stride2Case(r, 6, 57, 76, 9, i % 4, 0, Integer.MAX_VALUE, seen);
    assertCovered(seen, "pad left 0", "pad left 1", "pad left 2", "pad left 3", "residual 0", "residual 1",
        "residual 2", "input width even", "input width odd");
  }

  /**
   * Stride 2 on output rows of 16-28 pixels (the row path, not channel blocks, from 16 on: MobileNetV2's 56 -> 28),
   * where the borders are half the vectors: the first vector with left pad 1 (only its first load masked), a last
   * vector of 1-4 pixels (one 128-bit vector, its loads plain or masked when it reads the right pad), wider last
   * vectors masked; left pads 0-3, right pads 0-2, odd and even input widths, 1-40 channels, heights 1-12.
   */
  @Test
  void depthwise3x3Stride2NarrowRowsMatchJava() {
    SplittableRandom r = new SplittableRandom(0x2828L);
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 120; i++) stride2Case(r, 40, 29, 30, 12, i % 4, 16, 28, seen);
    assertCovered(seen, "pad left 0", "pad left 1", "pad left 2", "pad left 3", "residual 0", "residual 1",
        "residual 2", "input width even", "input width odd", "last vector 8", "last vector 5-7",
        "last vector 1-4 inside", "last vector 1-4 reading the pad");
  }

  /**
   * Stride 2 on inputs of more than 4 MB (1M floats), whose rows the kernel prefetches ahead of each pass (the
   * prefetches reach the last rows and stop at the plane's end): padded and unpadded, odd heights, a residual.
   */
  @Test
  void depthwise3x3Stride2LargeInputsMatchJava() {
    SplittableRandom r = new SplittableRandom(0x4d42L);
    Conv2dSpec padded = Conv2dSpec.builder(24, 24, 3).groups(24).stride(2).padding(1)
        .activation(Activation.RELU6).build();
    checkDepthwise(r, padded, 223, 211, 1, 0, 1);
    checkDepthwise(r, padded, 223, 211, 1, 1, 2);
    Conv2dSpec unpadded = Conv2dSpec.builder(13, 26, 3).groups(13).stride(2).build();
    checkDepthwise(r, unpadded, 301, 280, 1, 2, 1);
  }

  /**
   * One stride-2 case with left pad pl: 1..maxC channels, multiplier 1-2, input width minW .. minW + spanW - 1,
   * height 1..maxH, other pads 0-2, bias, activation, residual kind, batch and threads at random; skipped if the
   * map is under 3 rows or the output width is outside [minOw, maxOw].
   */
  private static void stride2Case(SplittableRandom r, int maxC, int minW, int spanW, int maxH, int pl, int minOw,
      int maxOw, Map<String, Integer> seen) {
    int c = 1 + r.nextInt(maxC), mult = 1 + r.nextInt(2);
    int w = minW + r.nextInt(spanW), h = 1 + r.nextInt(maxH), pr = r.nextInt(3), pt = r.nextInt(3);
    int pb = r.nextInt(3);
    int ow = (w + pl + pr - 3) / 2 + 1;
    if (h + pt + pb < 3 || ow < minOw || ow > maxOw) return;
    Conv2dSpec spec = Conv2dSpec.builder(c, c * mult, 3).groups(c).stride(2).padding(pt, pl, pb, pr)
        .bias(r.nextBoolean()).activation(ACTS[r.nextInt(ACTS.length)]).build();
    int residualKind = r.nextInt(3);
    checkDepthwise(r, spec, h, w, 1 + r.nextInt(2), residualKind, 1 + r.nextInt(2));
    int last = ow % 8, lastColumn = 2 * (ow - last) - pl + 8; // a last vector of 1-4 pixels reads up to lastColumn
    count(seen, "pad left " + pl);
    count(seen, "residual " + residualKind);
    count(seen, "input width " + (w % 2 == 0 ? "even" : "odd"));
    count(seen, last == 0 ? "last vector 8" : last > 4 ? "last vector 5-7"
        : lastColumn <= w - 1 ? "last vector 1-4 inside" : "last vector 1-4 reading the pad");
  }
}
