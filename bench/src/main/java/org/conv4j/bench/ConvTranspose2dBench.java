package org.conv4j.bench;

import static org.conv4j.spec.Activation.RELU;

import org.conv4j.backend.Backend;
import org.conv4j.backend.Plan;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.openjdk.jmh.annotations.Param;

/** conv_transpose2d (2x upsampling layers of decoders / FCN / DCGAN), with fused bias + ReLU. */
public class ConvTranspose2dBench extends KernelBench {
  public enum Shape implements BenchShape {
    UP_4X4S2P1_256_128_14(
        "upsample 4x4 s2 p1 256->128 @14->28", ConvTranspose2dSpec.builder(256, 128, 4).stride(2).padding(1), 14),
    UP_3X3S2P1OP1_128_64_28("upsample 3x3 s2 p1 op1 128->64 @28->56",
        ConvTranspose2dSpec.builder(128, 64, 3).stride(2).padding(1).outputPadding(1), 28);

    private final String layer;
    private final ConvTranspose2dSpec spec;
    private final int in;

    Shape(String layer, ConvTranspose2dSpec.Builder spec, int in) {
      this.layer = layer;
      this.spec = spec.activation(RELU).build();
      this.in = in;
    }

    @Override
    public String layer() {
      return layer;
    }

    /** Every input pixel meets every kernel tap once: 2 * spec.macs(input size). */
    @Override
    public long flops() {
      return 2 * spec.macs(in, in);
    }

    @Override
    public Plan prepare(Backend backend) {
      float[] weight = BenchFixtures.random(spec.weightSize(), 2);
      float[] bias = BenchFixtures.random(spec.outChannels(), 3);
      return backend.convTranspose2d(spec, in, in, weight, bias);
    }
  }

  @Param
  public Shape shape;

  @Override
  protected BenchShape benchShape() {
    return shape;
  }
}
