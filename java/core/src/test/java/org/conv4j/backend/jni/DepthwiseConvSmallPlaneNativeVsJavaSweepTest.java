package org.conv4j.backend.jni;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dSpec;
import org.junit.jupiter.api.Test;

/**
 * The native depthwise path for small output planes (output width <= 28: eight channels per block, vectorised across
 * channels, the planes transposed into a zero-padded pixel-major block and back) against the Java reference's DIRECT
 * conv: channel counts around the block of 8 (1, 3, 7, 8, 9, 15, 16, 17), input sizes 1-20 (widths off multiples
 * of 8), kernels 1x1 to 5x5 with strides 1-3, dilation 1-2, asymmetric padding (some wider than any output reads),
 * channel multipliers 1-3, batch 1-3, every activation, residual separate or in place, one or two threads (the path
 * needs a block per thread, so two threads with one block take the row path: both are checked). Tolerance:
 * DepthwiseNativeVsJavaTestBase.
 */
class DepthwiseConvSmallPlaneNativeVsJavaSweepTest extends DepthwiseNativeVsJavaTestBase {
  private static final int[] CHANNELS = {1, 3, 7, 8, 9, 15, 16, 17};

  @Test
  void smallPlanesMatchJava() {
    SplittableRandom r = new SplittableRandom(0x5C8L);
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < 400; i++) {
      int c = CHANNELS[r.nextInt(CHANNELS.length)], mult = 1 + r.nextInt(3), batch = 1 + r.nextInt(3);
      boolean k3 = r.nextInt(3) > 0; // mostly MobileNet's 3x3
      int kh = k3 ? 3 : 1 + r.nextInt(5), kw = k3 ? 3 : 1 + r.nextInt(5);
      int stride = 1 + r.nextInt(k3 ? 2 : 3), dil = k3 || r.nextBoolean() ? 1 : 2;
      int h = 1 + r.nextInt(20), w = 1 + r.nextInt(20);
      int pt = r.nextInt(3), pl = r.nextInt(3), pb = r.nextInt(3), pr = r.nextInt(3);
      if (h + pt + pb < dil * (kh - 1) + 1 || w + pl + pr < dil * (kw - 1) + 1) continue;
      Activation act = ACTS[r.nextInt(ACTS.length)];
      int residualKind = r.nextInt(3); // none, separate, in place
      Conv2dSpec spec = Conv2dSpec.builder(c, c * mult, kh, kw).groups(c).stride(stride).dilation(dil)
          .padding(pt, pl, pb, pr).bias(r.nextBoolean()).activation(act).build();
      int threads = 1 + r.nextInt(2);
      checkDepthwise(r, spec, h, w, batch, residualKind, threads);
      int blocks = batch * ((c * mult + 7) / 8);
      count(seen, blocks >= threads ? "channel blocks" : "row path");
      count(seen, "channels " + c);
      count(seen, "stride " + stride);
      count(seen, "mult " + mult);
      count(seen, "residual " + residualKind);
      if (!k3) count(seen, "other kernel");
      if (dil > 1) count(seen, "dilation 2");
      if (batch > 1) count(seen, "batch > 1");
      if (c * mult % 8 != 0) count(seen, "partial block");
    }
    assertCovered(seen, "channel blocks", "row path", "channels 1", "channels 3", "channels 7", "channels 8",
        "channels 9", "channels 15", "channels 16", "channels 17", "stride 1", "stride 2", "stride 3", "mult 1",
        "mult 2", "mult 3", "residual 0", "residual 1", "residual 2", "other kernel", "dilation 2", "batch > 1",
        "partial block");
  }
}
