package org.conv4j.nn;

import java.util.Objects;
import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;
import org.conv4j.spec.Pool2dSpec;

/** torch.nn.MaxPool2d (kernel, stride, padding, dilation, ceil_mode in the spec). */
public record MaxPool2d(Pool2dSpec spec) implements Layer {
  public MaxPool2d {
    Objects.requireNonNull(spec, "spec");
    if (spec.kind() != Pool2dSpec.Kind.MAX) throw new IllegalArgumentException("MaxPool2d needs a MAX spec, got " + spec);
  }

  /** MaxPool2d(kernel, stride, padding). */
  public MaxPool2d(int kernel, int stride, int padding) {
    this(Pool2dSpec.max(kernel).stride(stride).padding(padding).build());
  }

  /** MaxPool2d(kernel): stride = kernel. */
  public MaxPool2d(int kernel) {
    this(kernel, kernel, 0);
  }

  @Override
  public Value forward(Graph.Builder b, Value x, String path, Parameters p) {
    return b.named(Layer.nodeName(path, "max_pool2d")).pool2d(x, spec);
  }
}
