package org.conv4j.bench;

import org.conv4j.backend.Backend;
import org.conv4j.backend.Plan;

/** A shape enum constant that is a conv2d layer: everything is the layer's. */
interface ConvShape extends BenchShape {
  ConvLayer conv();

  @Override
  default String layer() {
    return conv().layer();
  }

  @Override
  default long flops() {
    return conv().flops();
  }

  @Override
  default Plan prepare(Backend backend) {
    return conv().prepare(backend);
  }
}
