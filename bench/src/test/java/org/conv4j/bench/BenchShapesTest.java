package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.conv4j.backend.Plan;
import org.conv4j.backend.java.JavaBackend;
import org.conv4j.spec.Pool2dSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The named shapes are the layers they claim to be (output sizes, FLOP counts worked out by hand), and every one
 * prepares and runs once on the Java reference backend. Nothing here is timed.
 */
class BenchShapesTest {
  static Stream<BenchShape> allShapes() {
    List<BenchShape> all = new ArrayList<>();
    for (String family : BenchCatalog.families()) all.addAll(BenchCatalog.shapes(family));
    return all.stream();
  }

  @ParameterizedTest
  @MethodSource("allShapes")
  void everyShapePreparesAndRunsOnceOnJava(BenchShape shape) {
    try (Plan plan = shape.prepare(JavaBackend.instance())) {
      float[] x = BenchFixtures.random(plan.inputSize(), 1);
      float[] y = new float[plan.outputSize()];
      plan.run(x, 0, y, 0, 1);
      boolean nonZero = false;
      for (float v : y) {
        assertTrue(Float.isFinite(v), shape + " produced a non-finite value");
        nonZero |= v != 0;
      }
      assertTrue(nonZero, shape + " produced only zeros");
    }
  }

  @Test
  void outputShapesAreTheNamedLayers() {
    assertArrayEquals(new int[] {64, 56, 56}, outShape(Conv2dBench.Shape.RESNET18_3X3_64_56));
    assertArrayEquals(new int[] {64, 112, 112}, outShape(Conv2dBench.Shape.RESNET18_STEM_7X7S2_3_64_224));
    assertArrayEquals(new int[] {128, 28, 28}, outShape(Conv2dBench.Shape.RESNET18_DOWN_1X1S2_64_128_56));
    assertArrayEquals(new int[] {256, 28, 28}, outShape(Conv2dBench.Shape.DILATED_3X3D2_256_28));
    assertArrayEquals(new int[] {96, 56, 56}, outShape(DepthwiseConv2dBench.Shape.MOBILENETV2_DW3X3S2_96_112));
    assertArrayEquals(new int[] {128, 28, 28}, outShape(ConvTranspose2dBench.Shape.UP_4X4S2P1_256_128_14));
    assertArrayEquals(new int[] {64, 56, 56}, outShape(ConvTranspose2dBench.Shape.UP_3X3S2P1OP1_128_64_28));
    assertArrayEquals(new int[] {64, 56, 56}, outShape(Pool2dBench.Shape.RESNET18_MAXPOOL3X3S2_64_112));
    assertArrayEquals(new int[] {64, 112, 112}, outShape(Pool2dBench.Shape.VGG16_MAXPOOL2X2_64_224));
    assertArrayEquals(new int[] {512, 1, 1}, outShape(Pool2dBench.Shape.RESNET18_ADAPTIVEAVG_512_7));
    assertArrayEquals(new int[] {1000}, outShape(LinearBench.Shape.RESNET18_FC_512_1000));
  }

  private static int[] outShape(BenchShape shape) {
    try (Plan plan = shape.prepare(JavaBackend.instance())) {
      return plan.outputShape();
    }
  }

  @Test
  void flopsAreTwiceTheMultiplyAdds() {
    // 64 out x 56x56 pixels x 64 in x 3x3 taps
    assertEquals(2L * 64 * 56 * 56 * 64 * 9, Conv2dBench.Shape.RESNET18_3X3_64_56.flops());
    assertEquals(231_211_008L, Conv2dBench.Shape.RESNET18_3X3_64_56.flops());
    // 64 out x 112x112 x 3 in x 7x7
    assertEquals(2L * 64 * 112 * 112 * 3 * 49, Conv2dBench.Shape.RESNET18_STEM_7X7S2_3_64_224.flops());
    // one input channel per output channel: 96 x 56x56 x 9
    assertEquals(2L * 96 * 56 * 56 * 9, DepthwiseConv2dBench.Shape.MOBILENETV2_DW3X3S2_96_112.flops());
    // every input pixel (256 ch x 14x14) meets all 128 x 4x4 taps
    assertEquals(2L * 256 * 14 * 14 * 128 * 16, ConvTranspose2dBench.Shape.UP_4X4S2P1_256_128_14.flops());
    assertEquals(2L * 4096 * 4096, LinearBench.Shape.VGG16_FC7_4096_4096.flops());
  }

  @Test
  void poolingCountsTheWindowElementsRead() {
    // 3x3 s2 p1 on 112: the first window per dimension has 2 taps inside, the other 55 have 3
    assertEquals(64L * 167 * 167, Pool2dBench.Shape.RESNET18_MAXPOOL3X3S2_64_112.flops());
    assertEquals(64L * 224 * 224, Pool2dBench.Shape.VGG16_MAXPOOL2X2_64_224.flops());
    assertEquals(512L * 49, Pool2dBench.Shape.AVGPOOL7X7_512_7.flops());
    assertEquals(512L * 49, Pool2dBench.Shape.RESNET18_ADAPTIVEAVG_512_7.flops());
    // adaptive 7 -> 3 windows: [0,3), [2,5), [4,7) overlap, 9 reads per dimension
    assertEquals(9, Pool2dBench.windowReads(Pool2dSpec.adaptiveAvg(3, 3).geometry(7, 7), true));
    // dilation 2, kernel 3, stride 1, no padding on 7: 3 outputs x 3 taps
    assertEquals(9, Pool2dBench.windowReads(Pool2dSpec.max(3).stride(1).dilation(2).build().geometry(7, 7), false));
  }
}
