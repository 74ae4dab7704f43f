package org.conv4j.bench;

import static org.conv4j.spec.Activation.RELU6;

import org.conv4j.spec.Conv2dSpec;
import org.openjdk.jmh.annotations.Param;

/** Depthwise 3x3 conv2d, padding 1 (groups = channels) on MobileNetV2's layers, with fused bias + ReLU6. */
public class DepthwiseConv2dBench extends KernelBench {
  public enum Shape implements ConvShape {
    MOBILENETV2_DW3X3_144_56("MobileNetV2 dw 3x3 s1 144 @56", 144, 1, 56),
    MOBILENETV2_DW3X3S2_96_112("MobileNetV2 dw 3x3 s2 96 @112->56", 96, 2, 112),
    MOBILENETV2_DW3X3_576_14("MobileNetV2 dw 3x3 s1 576 @14", 576, 1, 14),
    // small planes: per-plane overhead (borders, 7- and 14-wide rows against 8-wide vectors) dominates
    MOBILENETV2_DW3X3S2_144_56("MobileNetV2 dw 3x3 s2 144 @56->28", 144, 2, 56),
    MOBILENETV2_DW3X3S2_192_28("MobileNetV2 dw 3x3 s2 192 @28->14", 192, 2, 28),
    MOBILENETV2_DW3X3_384_14("MobileNetV2 dw 3x3 s1 384 @14", 384, 1, 14),
    MOBILENETV2_DW3X3S2_576_14("MobileNetV2 dw 3x3 s2 576 @14->7", 576, 2, 14),
    MOBILENETV2_DW3X3_960_7("MobileNetV2 dw 3x3 s1 960 @7", 960, 1, 7);

    private final ConvLayer conv;

    Shape(String layer, int channels, int stride, int in) {
      Conv2dSpec spec = Conv2dSpec.builder(channels, channels, 3).groups(channels).stride(stride).padding(1)
          .activation(RELU6).build();
      this.conv = new ConvLayer(layer, spec, in);
    }

    @Override
    public ConvLayer conv() {
      return conv;
    }
  }

  @Param
  public Shape shape;

  @Override
  protected BenchShape benchShape() {
    return shape;
  }
}
