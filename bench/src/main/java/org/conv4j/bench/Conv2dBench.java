package org.conv4j.bench;

import static org.conv4j.spec.Activation.RELU;
import static org.conv4j.spec.Activation.RELU6;

import org.conv4j.spec.Conv2dSpec;
import org.openjdk.jmh.annotations.Param;

/** Dense conv2d (groups 1) on named ResNet-18 / VGG-16 / MobileNetV2 layers, with their fused bias + activation. */
public class Conv2dBench extends KernelBench {
  public enum Shape implements ConvShape {
    RESNET18_3X3_64_56("ResNet-18 layer1 3x3 64->64 @56", dense(64, 64, 3).padding(1).activation(RELU), 56),
    RESNET18_3X3_128_28("ResNet-18 layer2 3x3 128->128 @28", dense(128, 128, 3).padding(1).activation(RELU), 28),
    RESNET18_3X3_256_14("ResNet-18 layer3 3x3 256->256 @14", dense(256, 256, 3).padding(1).activation(RELU), 14),
    RESNET18_3X3_512_7("ResNet-18 layer4 3x3 512->512 @7", dense(512, 512, 3).padding(1).activation(RELU), 7),
    RESNET18_STEM_7X7S2_3_64_224(
        "ResNet-18 stem 7x7 s2 3->64 @224", dense(3, 64, 7).stride(2).padding(3).activation(RELU), 224),
    RESNET18_DOWN_1X1S2_64_128_56("ResNet-18 downsample 1x1 s2 64->128 @56", dense(64, 128, 1).stride(2), 56),
    RESNET50_1X1_64_256_56("ResNet-50 bottleneck 1x1 64->256 @56", dense(64, 256, 1), 56),
    VGG16_CONV1_1_3X3_3_64_224("VGG-16 conv1_1 3x3 3->64 @224", dense(3, 64, 3).padding(1).activation(RELU), 224),
    VGG16_CONV5_3X3_512_14("VGG-16 conv5 3x3 512->512 @14", dense(512, 512, 3).padding(1).activation(RELU), 14),
    MOBILENETV2_PW_24_144_56(
        "MobileNetV2 expand 1x1 24->144 @56", dense(24, 144, 1).activation(RELU6), 56),
    MOBILENETV2_PW_576_96_14("MobileNetV2 project 1x1 576->96 @14", dense(576, 96, 1), 14),
    MOBILENETV2_PW_16_96_112(
        "MobileNetV2 expand 1x1 16->96 @112", dense(16, 96, 1).activation(RELU6), 112),
    MOBILENETV2_PW_96_576_14(
        "MobileNetV2 expand 1x1 96->576 @14", dense(96, 576, 1).activation(RELU6), 14),
    MOBILENETV2_PW_160_960_7(
        "MobileNetV2 expand 1x1 160->960 @7", dense(160, 960, 1).activation(RELU6), 7),
    MOBILENETV2_PW_320_1280_7(
        "MobileNetV2 head 1x1 320->1280 @7", dense(320, 1280, 1).activation(RELU6), 7),
    MOBILENETV2_PW_32_16_112("MobileNetV2 project 1x1 32->16 @112", dense(32, 16, 1), 112),
    MOBILENETV2_PW_144_24_56("MobileNetV2 project 1x1 144->24 @56", dense(144, 24, 1), 56),
    MOBILENETV2_PW_960_160_7("MobileNetV2 project 1x1 960->160 @7", dense(960, 160, 1), 7),
    MOBILENETV2_STEM_3X3S2_3_32_224(
        "MobileNetV2 stem 3x3 s2 3->32 @224", dense(3, 32, 3).stride(2).padding(1).activation(RELU6), 224),
    RESNET18_DOWN_1X1S2_256_512_14("ResNet-18 downsample 1x1 s2 256->512 @14", dense(256, 512, 1).stride(2), 14),
    RESNET18_3X3S2_64_128_56(
        "ResNet-18 layer2 3x3 s2 64->128 @56", dense(64, 128, 3).stride(2).padding(1).activation(RELU), 56),
    RESNET18_3X3S2_256_512_14(
        "ResNet-18 layer4 3x3 s2 256->512 @14", dense(256, 512, 3).stride(2).padding(1).activation(RELU), 14),
    DILATED_3X3D2_256_28(
        "dilated (DeepLab) 3x3 d2 256->256 @28", dense(256, 256, 3).padding(2).dilation(2).activation(RELU), 28);

    private final ConvLayer conv;

    Shape(String layer, Conv2dSpec.Builder spec, int in) {
      this.conv = new ConvLayer(layer, spec.build(), in);
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

  private static Conv2dSpec.Builder dense(int in, int out, int k) {
    return Conv2dSpec.builder(in, out, k);
  }
}
