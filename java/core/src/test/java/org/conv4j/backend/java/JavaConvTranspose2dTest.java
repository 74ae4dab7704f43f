package org.conv4j.backend.java;

import static org.conv4j.backend.java.TestArrays.assertExact;
import static org.conv4j.backend.java.TestArrays.filled;
import static org.conv4j.backend.java.TestArrays.random;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.conv4j.Tensor;
import org.conv4j.backend.Conv2dAlgorithm;
import org.conv4j.backend.Plan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dGeometry;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JavaConvTranspose2dTest {
  private static final JavaBackend JAVA = JavaBackend.instance();
  private final int savedThreads = JAVA.threads();

  @AfterEach
  void restoreThreads() {
    JAVA.setThreads(savedThreads);
  }

  private static Tensor run(ConvTranspose2dSpec spec, float[] x, int h, int w, float[] weight, float[] bias) {
    Plan plan = JAVA.convTranspose2d(spec, h, w, weight, bias);
    return plan.run(Tensor.of(x, 1, spec.inChannels(), h, w));
  }

  @Test
  void strideOneSumsOverlappingKernelCopies() {
    // x = [[1,2],[3,4]], w = [[1,2],[3,4]]: y[oh][ow] = sum of x[ih][iw] * w[oh-ih][ow-iw]
    Tensor y = run(ConvTranspose2dSpec.builder(1, 1, 2).bias(false).build(), new float[] {1, 2, 3, 4}, 2, 2,
        new float[] {1, 2, 3, 4}, null);
    assertArrayEquals(new int[] {1, 1, 3, 3}, y.shape());
    assertExact(new float[] {1, 4, 4, 6, 20, 16, 9, 24, 16}, y.data(), "stride 1");
  }

  @Test
  void paddingCropsTheFullOutput() {
    Tensor y = run(ConvTranspose2dSpec.builder(1, 1, 2).padding(1).bias(false).build(), new float[] {1, 2, 3, 4},
        2, 2, new float[] {1, 2, 3, 4}, null);
    assertArrayEquals(new int[] {1, 1, 1, 1}, y.shape());
    assertEquals(20f, y.data()[0]); // the centre of the stride-1 result
  }

  @Test
  void strideTwoSpreadsEachPixelToABlock() {
    Tensor y = run(ConvTranspose2dSpec.builder(1, 1, 2).stride(2).bias(false).build(), new float[] {1, 2, 3, 4}, 2,
        2, filled(4, 1f), null);
    assertArrayEquals(new int[] {1, 1, 4, 4}, y.shape());
    assertExact(new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4}, y.data(), "stride 2");
  }

  @Test
  void outputPaddingAddsRowsThatOnlyGetTheBias() {
    // 1x1 kernel, stride 2, output_padding 1: (2-1)*2 + 1 + 1 = 4
    Tensor y = run(ConvTranspose2dSpec.builder(1, 1, 1).stride(2).outputPadding(1).build(),
        new float[] {1, 2, 3, 4}, 2, 2, new float[] {1}, new float[] {0.5f});
    assertArrayEquals(new int[] {1, 1, 4, 4}, y.shape());
    assertExact(new float[] {1.5f, 0.5f, 2.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 3.5f, 0.5f, 4.5f, 0.5f, 0.5f, 0.5f,
        0.5f, 0.5f}, y.data(), "output_padding");
  }

  @Test
  void dilationSpacesTheKernelTaps() {
    Tensor y = run(ConvTranspose2dSpec.builder(1, 1, 2).dilation(2).bias(false).build(), new float[] {1}, 1, 1,
        new float[] {1, 2, 3, 4}, null);
    assertArrayEquals(new int[] {1, 1, 3, 3}, y.shape());
    assertExact(new float[] {1, 0, 2, 0, 0, 0, 3, 0, 4}, y.data(), "dilation 2");
  }

  @Test
  void weightsAreInputMajor() {
    // IOHW [2, 2, 1, 1]: w[i][o]; y_o = sum_i x_i w[i][o] = (10*1 + 100*3, 10*2 + 100*4)
    Tensor y = run(ConvTranspose2dSpec.builder(2, 2, 1).bias(false).build(), new float[] {10, 100}, 1, 1,
        new float[] {1, 2, 3, 4}, null);
    assertExact(new float[] {310, 420}, y.data(), "IOHW");
  }

  @Test
  void groupsAndActivation() {
    // groups 2: y0 = 2 * x0, y1 = 3 * x1; bias -5 then relu
    ConvTranspose2dSpec spec = ConvTranspose2dSpec.builder(2, 2, 1).groups(2).activation(Activation.RELU).build();
    Tensor y = run(spec, new float[] {1, 4, 1, 4}, 1, 2, new float[] {2, 3}, new float[] {-5, -5});
    assertExact(new float[] {0, 3, 0, 7}, y.data(), "groups 2 + relu");
  }

  @Test
  void asymmetricPaddingCropsEachSideSeparately() {
    // the 3x3 stride-1 result above, cropped by top 1, left 0, bottom 0, right 1
    Tensor y = run(ConvTranspose2dSpec.builder(1, 1, 2).padding(1, 0, 0, 1).bias(false).build(),
        new float[] {1, 2, 3, 4}, 2, 2, new float[] {1, 2, 3, 4}, null);
    assertArrayEquals(new int[] {1, 1, 2, 2}, y.shape());
    assertExact(new float[] {6, 20, 9, 24}, y.data(), "asymmetric crop");
  }

  /**
   * conv_transpose2d is the adjoint of conv2d with the same weights: {@code <conv(x), u> = <x, convT(u)>}, on
   * random configurations with strides, dilation, groups, asymmetric pads and the output_padding that restores the
   * input size. Both threads paths run (batch 1 splits channels, batch 3 splits images).
   */
  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20})
  void isTheAdjointOfConv2d(long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    int groups = 1 + r.nextInt(3);
    int cin = groups * (1 + r.nextInt(5)), cout = groups * (1 + r.nextInt(5));
    int k = 1 + r.nextInt(4), s = 1 + r.nextInt(3), d = 1 + r.nextInt(2);
    int h = d * (k - 1) + 1 + r.nextInt(8), w = d * (k - 1) + 1 + r.nextInt(9);
    int pt = r.nextInt(k), pl = r.nextInt(k), pb = r.nextInt(k), pr = r.nextInt(k);
    Conv2dSpec conv = Conv2dSpec.builder(cin, cout, k).stride(s).dilation(d).groups(groups)
        .padding(pt, pl, pb, pr).bias(false).build();
    Conv2dGeometry g = conv.geometry(h, w);
    int oph = (h + pt + pb - d * (k - 1) - 1) % s, opw = (w + pl + pr - d * (k - 1) - 1) % s;
    ConvTranspose2dSpec convT = ConvTranspose2dSpec.builder(cout, cin, k).stride(s).dilation(d).groups(groups)
        .padding(pt, pl, pb, pr).outputPadding(oph, opw).bias(false).build();
    assertEquals(new Conv2dGeometry(g.outH(), g.outW(), h, w, pt, pl, pb, pr), convT.geometry(g.outH(), g.outW()));
    float[] weight = random(seed + 100, (int) conv.weightSize());
    int batch = r.nextBoolean() ? 1 : 3;
    float[] x = random(seed + 200, batch * cin * h * w);
    float[] u = random(seed + 300, batch * cout * g.outH() * g.outW());
    for (int threads = 1; threads <= 2; threads++) {
      JAVA.setThreads(threads);
      float[] cx = new float[u.length], tu = new float[x.length];
      JAVA.conv2d(conv, h, w, weight, null, Conv2dAlgorithm.DIRECT).run(x, 0, cx, 0, batch);
      JAVA.convTranspose2d(convT, g.outH(), g.outW(), weight, null).run(u, 0, tu, 0, batch);
      double lhs = dot(cx, u), rhs = dot(x, tu);
      assertEquals(lhs, rhs, 1e-4 * (1 + Math.abs(lhs)), conv + " vs " + convT + ", threads " + threads);
    }
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) s += (double) a[i] * b[i];
    return s;
  }
}
