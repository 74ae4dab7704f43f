package org.conv4j.bench;

import org.conv4j.backend.Backend;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.spec.Conv2dGeometry;
import org.conv4j.spec.Conv2dSpec;

/** A named conv2d layer at one square input size: the body of the dense and depthwise shape enums. */
record ConvLayer(String layer, Conv2dSpec spec, int in) implements BenchShape {
  Conv2dGeometry geometry() {
    return spec.geometry(in, in);
  }

  @Override
  public long flops() {
    Conv2dGeometry g = geometry();
    return 2 * spec.macs(g.outH(), g.outW());
  }

  @Override
  public Conv2dPlan prepare(Backend backend) {
    float[] weight = BenchFixtures.random(spec.weightSize(), 2);
    float[] bias = spec.hasBias() ? BenchFixtures.random(spec.outChannels(), 3) : null;
    return backend.conv2d(spec, in, in, weight, bias);
  }
}
