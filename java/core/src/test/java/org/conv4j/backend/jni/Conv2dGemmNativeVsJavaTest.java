package org.conv4j.backend.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.conv4j.backend.Conv2dAlgorithm;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dGeometry;
import org.conv4j.spec.Conv2dSpec;
import org.junit.jupiter.api.Test;

/**
 * The native packed GEMM behind GEMM_1X1 and IM2COL_GEMM against the Java reference, at the edges of its blocking
 * that the randomized sweep reaches only by chance: every pixel-tail length of its 24-pixel tiles (1..50 pixels),
 * output channels around its 4-channel panels (1..9), reductions around its 256-long blocks (255..600:
 * partial sums through y), with batch, groups, bias, a residual separate or in place, and every activation.
 */
class Conv2dGemmNativeVsJavaTest extends NativeOpsTestBase {
  private static final Activation[] ACTS = {Activation.NONE, Activation.RELU, Activation.leakyRelu(0.1f),
      Activation.RELU6, Activation.clamp(-0.5f, 0.7f), Activation.SIGMOID, Activation.TANH};

  @Test
  void everyPixelTailAndChannelPanelTail() {
    int i = 0;
    for (int pixels = 1; pixels <= 50; pixels++) {
      int oc = 1 + pixels % 9;
      Conv2dSpec spec = Conv2dSpec.builder(7, oc, 1).bias(pixels % 2 == 0).activation(ACTS[pixels % ACTS.length])
          .build();
      check(spec, 1, pixels, 1 + pixels % 2, pixels % 3, i++); // a 1 x pixels map: the tail is the whole row
      check(spec, pixels, 1, 1, (pixels + 1) % 3, i++);
    }
  }

  /**
   * Groups of more than 48 output channels, in panel groups of three: maps of 1-57 pixels and 7x7 / 14x14 (every
   * split into wide and narrow tiles), channel counts whose 4-channel panels leave 0, 1 or 2 over a group of three
   * (the narrow tiles' 12, 4 and 8 rows) and a last panel of 1-3 real rows. IM2COL_GEMM packs B into 24- and
   * 8-pixel tiles for all of them; GEMM_1X1 reads a small map's input in place up to 128 channels (49-128 here, in
   * pixel chunks of whole vectors on two threads) and packs it above (129-180).
   */
  @Test
  void packedTilesAndPanelGroups() {
    int i = 200;
    int[] channels = {49, 50, 52, 56, 60, 63, 64, 100, 128, 129, 130, 132, 143, 180};
    for (int pixels : new int[] {1, 5, 8, 9, 16, 17, 23, 24, 25, 31, 32, 33, 40, 47, 48, 49, 56, 57}) {
      int oc = channels[pixels % channels.length];
      Conv2dSpec spec = Conv2dSpec.builder(3 + pixels % 11, oc, 1).bias(pixels % 2 == 1)
          .activation(ACTS[pixels % ACTS.length]).build();
      check(spec, 1, pixels, 1, pixels % 3, i++);
    }
    for (int oc : channels) {
      Activation act = ACTS[oc % ACTS.length];
      check(Conv2dSpec.builder(20, oc, 1).activation(act).build(), 7, 7, 1 + oc % 2, oc % 3, i++);
      check(Conv2dSpec.builder(300, oc, 1).activation(act).build(), 14, 14, 1, (oc + 1) % 3, i++);
      check(Conv2dSpec.builder(24, 2 * oc, 1).groups(2).stride(2).activation(act).build(), 13, 15, 1,
          (oc + 2) % 3, i++);
    }
  }

  /**
   * A map of at most 256 pixels of one image whose B is packed (IM2COL_GEMM: more than 48 output channels;
   * GEMM_1X1: more than 128, fewer read the input in place): B packed (in 32-row slices) once per run by each thread
   * that takes part, into its own scratch, work split by groups of three panels. Reductions over two and three
   * blocks whose last slice is short (360 = 2 x 180, 600 = 3 x 200), 3x3 through the im2col panel, maps at the
   * 256-pixel boundary; 600->97 takes GEMM_1X1's in-place path over three blocks, 600->161 its packed one.
   */
  @Test
  void smallMapsPackedOnceForAllThreads() {
    check(Conv2dSpec.builder(40, 61, 3).padding(1).activation(Activation.RELU).build(), 15, 13, 1, 2, 300);
    check(Conv2dSpec.builder(600, 97, 1).activation(Activation.RELU6).build(), 16, 16, 1, 1, 301);
    check(Conv2dSpec.builder(600, 97, 1).build(), 1, 257, 1, 2, 302);
    check(Conv2dSpec.builder(70, 200, 1).bias(false).activation(Activation.SIGMOID).build(), 11, 9, 1, 0, 303);
    check(Conv2dSpec.builder(600, 161, 1).activation(Activation.RELU).build(), 16, 16, 1, 2, 304);
  }

  /**
   * A 1x1 input read in place that is larger than 4 MB (batch 3 of 32 x 112 x 111, few output channels: no packing)
   * takes the wide tiles that prefetch B's rows ahead; the map's last tile is partial.
   */
  @Test
  void largeInputsReadInPlaceWithPrefetch() {
    check(Conv2dSpec.builder(32, 16, 1).activation(Activation.RELU6).build(), 112, 111, 3, 2, 400);
    check(Conv2dSpec.builder(96, 24, 1).build(), 56, 57, 9, 1, 401);
  }

  @Test
  void reductionBlocksCarryPartialSumsThroughY() {
    int i = 100;
    for (int k : new int[] {255, 256, 257, 600}) {
      for (Activation act : ACTS) {
        check(Conv2dSpec.builder(k, 9, 1).activation(act).build(), 5, 7, 2, i % 3, i++);
        // a reduction of 3 taps per channel through the im2col panel (255, 258, 258, 600), stride 2, padded
        check(Conv2dSpec.builder((k + 2) / 3, 6, 1, 3).stride(2).padding(0, 1).activation(act).build(), 9, 11, 1,
            i % 3, i++);
      }
    }
  }

  @Test
  void groupsAndStemsThroughTheIm2colPanel() {
    check(Conv2dSpec.builder(3, 17, 3).stride(2).padding(1).activation(Activation.RELU6).build(), 29, 31, 2, 1, 0);
    check(Conv2dSpec.builder(3, 8, 7).stride(2).padding(3).build(), 37, 35, 1, 2, 1);
    check(Conv2dSpec.builder(16, 15, 3).groups(1).stride(2).dilation(2).padding(2).build(), 21, 19, 3, 0, 2);
    check(Conv2dSpec.builder(12, 18, 1).groups(3).activation(Activation.SIGMOID).build(), 13, 9, 2, 2, 3);
    check(Conv2dSpec.builder(12, 18, 3).groups(6).padding(1).activation(Activation.TANH).build(), 10, 9, 2, 1, 4);
    // groups whose reduction spans blocks (weights are packed block by block per group): 257 = 129 + 128, 270 = 2 x 135
    check(Conv2dSpec.builder(514, 10, 1).groups(2).build(), 6, 7, 2, 1, 5);
    check(Conv2dSpec.builder(60, 14, 3).groups(2).padding(1).activation(Activation.RELU).build(), 5, 6, 1, 2, 6);
  }

  /** residual: 0 none, 1 separate, 2 in place. Runs GEMM_1X1 where it applies and IM2COL_GEMM, on 1 and 2 threads. */
  private static void check(Conv2dSpec spec, int h, int w, int batch, int residual, int seed) {
    Conv2dGeometry g = spec.geometry(h, w);
    boolean oneByOne = spec.kernelH() == 1 && spec.kernelW() == 1 && spec.strideH() == 1 && spec.strideW() == 1
        && g.padTop() + g.padLeft() + g.padBottom() + g.padRight() == 0;
    Conv2dAlgorithm[] algos = oneByOne ? new Conv2dAlgorithm[] {Conv2dAlgorithm.GEMM_1X1,
        Conv2dAlgorithm.IM2COL_GEMM} : new Conv2dAlgorithm[] {Conv2dAlgorithm.IM2COL_GEMM};
    int k = spec.inChannels() / spec.groups() * spec.kernelH() * spec.kernelW();
    int inSize = spec.inChannels() * h * w, outSize = spec.outChannels() * g.outH() * g.outW(), n = batch;
    SplittableRandom r = new SplittableRandom(seed * 7919L + 5);
    float[] x = random(r, n * inSize, 1f);
    float[] wt = random(r, (int) spec.weightSize(), (float) (1 / Math.sqrt(k)));
    float[] bias = spec.hasBias() ? random(r, spec.outChannels(), 0.5f) : null;
    float[] res = residual > 0 ? random(r, n * outSize, 0.5f) : null;
    float[] expected = new float[n * outSize], bound = new float[n * outSize];
    JAVA.setThreads(1);
    try (Conv2dPlan ref = JAVA.conv2d(spec, h, w, wt, bias, Conv2dAlgorithm.DIRECT);
        Conv2dPlan mag = JAVA.conv2d(spec.toBuilder().activation(Activation.NONE).build(), h, w, abs(wt), abs(bias),
            Conv2dAlgorithm.DIRECT)) {
      ref.run(x, 0, expected, 0, n, res, 0);
      mag.run(abs(x), 0, bound, 0, n, abs(res), 0);
    }
    for (Conv2dAlgorithm algo : algos) {
      for (int threads = 1; threads <= 2; threads++) {
        String what = spec + " on " + n + "x" + h + "x" + w + ", " + algo + ", residual " + residual + ", threads "
            + threads;
        nat.setThreads(threads);
        float[] got;
        try (Conv2dPlan plan = nat.conv2d(spec, h, w, wt, bias, algo)) {
          assertEquals(algo, plan.algorithm(), what);
          if (residual == 2) {
            got = res.clone(); // y holds the residual
            plan.run(x, 0, got, 0, n, got, 0);
          } else {
            float[] ys = guarded(0, n * outSize, 5);
            plan.run(x, 0, ys, 0, n, res, 0);
            got = span(ys, 0, n * outSize, what);
          }
        }
        assertClose(expected, got, reductionTolerance(bound, k), what);
      }
    }
  }
}
