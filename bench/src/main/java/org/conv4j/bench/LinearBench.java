package org.conv4j.bench;

import org.conv4j.backend.Backend;
import org.conv4j.backend.Plan;
import org.conv4j.spec.LinearSpec;
import org.openjdk.jmh.annotations.Param;

/** Linear (fully connected) classifier heads at batch 1: matrix-vector products, bound by weight bandwidth. */
public class LinearBench extends KernelBench {
  public enum Shape implements BenchShape {
    RESNET18_FC_512_1000("ResNet-18 fc 512->1000", 512, 1000),
    MOBILENETV2_FC_1280_1000("MobileNetV2 classifier 1280->1000", 1280, 1000),
    VGG16_FC7_4096_4096("VGG-16 fc7 4096->4096", 4096, 4096);

    private final String layer;
    private final LinearSpec spec;

    Shape(String layer, int in, int out) {
      this.layer = layer;
      this.spec = new LinearSpec(in, out);
    }

    @Override
    public String layer() {
      return layer;
    }

    @Override
    public long flops() {
      return 2 * spec.weightSize();
    }

    @Override
    public Plan prepare(Backend backend) {
      return backend.linear(
          spec, BenchFixtures.random(spec.weightSize(), 2), BenchFixtures.random(spec.outFeatures(), 3));
    }
  }

  @Param
  public Shape shape;

  @Override
  protected BenchShape benchShape() {
    return shape;
  }
}
