package org.conv4j.nn;

import java.util.Objects;
import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;
import org.conv4j.spec.Pool2dSpec;

/** torch.nn.AvgPool2d (kernel, stride, padding, ceil_mode, count_include_pad in the spec). */
public record AvgPool2d(Pool2dSpec spec) implements Layer {
  public AvgPool2d {
    Objects.requireNonNull(spec, "spec");
    if (spec.kind() != Pool2dSpec.Kind.AVG) throw new IllegalArgumentException("AvgPool2d needs an AVG spec, got " + spec);
  }

  /** AvgPool2d(kernel, stride, padding), count_include_pad=True as PyTorch. */
  public AvgPool2d(int kernel, int stride, int padding) {
    this(Pool2dSpec.avg(kernel).stride(stride).padding(padding).build());
  }

  @Override
  public Value forward(Graph.Builder b, Value x, String path, Parameters p) {
    return b.named(Layer.nodeName(path, "avg_pool2d")).pool2d(x, spec);
  }
}
