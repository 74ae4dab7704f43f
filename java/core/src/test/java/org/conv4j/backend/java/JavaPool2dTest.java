package org.conv4j.backend.java;

import static org.conv4j.backend.java.TestArrays.assertExact;
import static org.conv4j.backend.java.TestArrays.filled;
import static org.conv4j.backend.java.TestArrays.iota;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.conv4j.Tensor;
import org.conv4j.spec.Pool2dSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class JavaPool2dTest {
  private static final JavaBackend JAVA = JavaBackend.instance();
  private final int savedThreads = JAVA.threads();

  @AfterEach
  void restoreThreads() {
    JAVA.setThreads(savedThreads);
  }

  private static Tensor pool(Pool2dSpec spec, float[] x, int n, int c, int h, int w) {
    return JAVA.pool2d(spec, c, h, w).run(Tensor.of(x, n, c, h, w));
  }

  @Test
  void twoByTwoMaxPoolHalvesHeightAndWidthAndKeepsChannels() {
    // plane c holds 100c + 4i + j; each 2x2 block's max is its bottom-right element
    float[] x = new float[2 * 3 * 16];
    for (int p = 0; p < 6; p++) for (int i = 0; i < 16; i++) x[p * 16 + i] = 100 * (p % 3) + i;
    Tensor y = pool(Pool2dSpec.max(2).build(), x, 2, 3, 4, 4);
    assertArrayEquals(new int[] {2, 3, 2, 2}, y.shape());
    float[] expected = new float[24];
    for (int p = 0; p < 6; p++) {
      float base = 100 * (p % 3);
      expected[p * 4] = base + 5;
      expected[p * 4 + 1] = base + 7;
      expected[p * 4 + 2] = base + 13;
      expected[p * 4 + 3] = base + 15;
    }
    JAVA.setThreads(1);
    assertExact(expected, y.data(), "2x2 max, default threads");
    assertExact(expected, pool(Pool2dSpec.max(2).build(), x, 2, 3, 4, 4).data(), "2x2 max, 1 thread");
  }

  @Test
  void maxPoolPaddingNeverWins() {
    // all values negative: a zero from the padding would win if padding were not -inf
    float[] x = new float[16];
    for (int i = 0; i < 16; i++) x[i] = -1 - i;
    Tensor y = pool(Pool2dSpec.max(3).stride(2).padding(1).build(), x, 1, 1, 4, 4);
    assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
    assertExact(new float[] {-1, -2, -5, -6}, y.data(), "max with padding");
  }

  @Test
  void maxPoolDilationAndCeilMode() {
    // x = 5i + j; kernel 2, dilation 2, stride 1: taps (i, j) .. (i+2, j+2), max at (i+2, j+2)
    Tensor y = pool(Pool2dSpec.max(2).stride(1).dilation(2).build(), iota(25), 1, 1, 5, 5);
    assertArrayEquals(new int[] {1, 1, 3, 3}, y.shape());
    assertExact(new float[] {12, 13, 14, 17, 18, 19, 22, 23, 24}, y.data(), "dilated max");
    // ceil_mode: 5x5 with kernel 2 stride 2 gives 3x3; the last window holds row/column 4 only
    Tensor c = pool(Pool2dSpec.max(2).ceilMode(true).build(), iota(25), 1, 1, 5, 5);
    assertArrayEquals(new int[] {1, 1, 3, 3}, c.shape());
    assertExact(new float[] {6, 8, 9, 16, 18, 19, 21, 23, 24}, c.data(), "ceil_mode max");
  }

  /**
   * The row-then-column max against every window taken whole, on odd sizes, asymmetric strides, padding, dilation
   * and ceil_mode, with NaNs and -0.0 / 0.0 ties in the data.
   */
  @Test
  void maxPoolMatchesWholeWindowsOnAwkwardShapes() {
    int[][] cases = { // kh, kw, sh, sw, padH, padW, dh, dw, ceil, inH, inW
        {3, 3, 2, 2, 1, 1, 1, 1, 0, 11, 13}, {3, 3, 2, 2, 1, 1, 1, 1, 1, 10, 9}, {2, 3, 1, 2, 1, 0, 1, 1, 0, 7, 15},
        {3, 2, 3, 1, 0, 1, 2, 1, 1, 17, 8}, {1, 5, 1, 3, 0, 2, 1, 2, 0, 5, 23}, {5, 5, 1, 1, 2, 2, 1, 1, 0, 6, 1}};
    java.util.Random rnd = new java.util.Random(7);
    for (int[] k : cases) {
      Pool2dSpec spec = Pool2dSpec.max(k[0], k[1]).stride(k[2], k[3]).padding(k[4], k[5]).dilation(k[6], k[7])
          .ceilMode(k[8] == 1).build();
      int n = 2, c = 3, h = k[9], w = k[10];
      float[] x = new float[n * c * h * w];
      for (int i = 0; i < x.length; i++) {
        x[i] = rnd.nextInt(40) == 0 ? Float.NaN : rnd.nextInt(9) == 0 ? (rnd.nextBoolean() ? -0f : 0f)
            : rnd.nextInt(7) - 3;
      }
      org.conv4j.spec.Pool2dGeometry g = spec.geometry(h, w);
      float[] expected = new float[n * c * g.outH() * g.outW()];
      int e = 0;
      for (int p = 0; p < n * c; p++) {
        for (int oh = 0; oh < g.outH(); oh++) {
          for (int ow = 0; ow < g.outW(); ow++) {
            float m = Float.NEGATIVE_INFINITY;
            for (int ki = 0; ki < k[0]; ki++) {
              for (int kj = 0; kj < k[1]; kj++) {
                int ih = oh * k[2] - k[4] + ki * k[6], iw = ow * k[3] - k[5] + kj * k[7];
                if (ih >= 0 && ih < h && iw >= 0 && iw < w) m = Math.max(m, x[(p * h + ih) * w + iw]);
              }
            }
            expected[e++] = m;
          }
        }
      }
      assertExact(expected, pool(spec, x, n, c, h, w).data(), "max pool " + java.util.Arrays.toString(k));
    }
  }

  @Test
  void maxPoolPropagatesNaN() {
    Tensor y = pool(Pool2dSpec.max(2).build(), new float[] {1, Float.NaN, 3, 4}, 1, 1, 2, 2);
    assertEquals(Float.NaN, y.data()[0]);
  }

  @Test
  void avgPoolEdgeDivisorsWithPadding() {
    // ones 3x3, kernel 2, stride 2, padding 1: windows rows [-1,1) and [1,3); with the pad a window counts 4
    Tensor inc = pool(Pool2dSpec.avg(2).padding(1).build(), filled(9, 1f), 1, 1, 3, 3);
    assertExact(new float[] {0.25f, 0.5f, 0.5f, 1f}, inc.data(), "count_include_pad=true");
    Tensor exc = pool(Pool2dSpec.avg(2).padding(1).countIncludePad(false).build(), filled(9, 1f), 1, 1, 3, 3);
    assertExact(new float[] {1, 1, 1, 1}, exc.data(), "count_include_pad=false");
  }

  @Test
  void avgPoolCeilModeWindowsPastThePaddingAreNotCounted() {
    // ones 3x3, kernel 2, stride 2, ceil_mode: the last window [2, 4) ends past the input; with no padding its
    // divisor is min(2 + 2, 3 + 0) - 2 = 1 even when count_include_pad
    for (boolean include : new boolean[] {true, false}) {
      Tensor y = pool(Pool2dSpec.avg(2).ceilMode(true).countIncludePad(include).build(), filled(9, 1f), 1, 1, 3, 3);
      assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
      assertExact(new float[] {1, 1, 1, 1}, y.data(), "ceil_mode, count_include_pad=" + include);
    }
    // ones 4x4, kernel 3, stride 2, padding 1, ceil_mode -> 3x3. Row windows start at -1, 1, 3 and end at
    // min(start + 3, 4 + 1) = 2, 4, 5: sizes 3, 3, 2 holding 2, 3, 1 input rows.
    float t = 2f / 3, h = 0.5f;
    Tensor inc = pool(Pool2dSpec.avg(3).stride(2).padding(1).ceilMode(true).build(), filled(16, 1f), 1, 1, 4, 4);
    assertArrayEquals(new int[] {1, 1, 3, 3}, inc.shape());
    assertExact(new float[] {4f / 9, t, 2f / 6, t, 1, h, 2f / 6, h, 0.25f}, inc.data(), "ceil + pad, include");
    Tensor exc = pool(Pool2dSpec.avg(3).stride(2).padding(1).ceilMode(true).countIncludePad(false).build(),
        filled(16, 1f), 1, 1, 4, 4);
    assertExact(filled(9, 1f), exc.data(), "ceil + pad, exclude");
  }

  @Test
  void avgPoolAveragesValues() {
    // x = 4i + j, 2x2 blocks: mean of {0,1,4,5} = 2.5 etc.
    Tensor y = pool(Pool2dSpec.avg(2).build(), iota(16), 1, 1, 4, 4);
    assertExact(new float[] {2.5f, 4.5f, 10.5f, 12.5f}, y.data(), "avg 2x2");
  }

  @Test
  void adaptiveAvgOnNonDivisibleSizes() {
    // width 5 -> 3: windows [0,2), [1,4), [3,5)
    Tensor y = pool(Pool2dSpec.adaptiveAvg(1, 3), new float[] {1, 2, 3, 4, 5}, 1, 1, 1, 5);
    assertExact(new float[] {1.5f, 3f, 4.5f}, y.data(), "adaptive 5 -> 3");
    // 3x3 -> 2x2: windows [0,2) and [1,3) on both axes; x = 3i + j
    Tensor z = pool(Pool2dSpec.adaptiveAvg(2, 2), iota(9), 1, 1, 3, 3);
    assertExact(new float[] {2, 3, 5, 6}, z.data(), "adaptive 3x3 -> 2x2");
    // upsampling 2 -> 3: windows [0,1), [0,2), [1,2)
    Tensor u = pool(Pool2dSpec.adaptiveAvg(1, 3), new float[] {2, 4}, 1, 1, 1, 2);
    assertExact(new float[] {2, 3, 4}, u.data(), "adaptive 2 -> 3");
  }

  @Test
  void globalPools() {
    float[] x = {3, -1, 7, 2, 5, 1, -4, 0, 4, 4, 4, 4};
    assertExact(new float[] {7, 5, 4}, pool(Pool2dSpec.globalMax(), x, 1, 3, 2, 2).data(), "global max");
    assertExact(new float[] {11f / 4, 2f / 4, 4}, pool(Pool2dSpec.globalAvg(), x, 1, 3, 2, 2).data(), "global avg");
  }
}
