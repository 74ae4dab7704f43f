package org.conv4j.nn;

import java.util.List;
import java.util.Objects;
import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;
import org.conv4j.spec.Conv2dSpec;

/** torch.nn.Conv2d: parameters {@code weight} [out, in/groups, kh, kw] and, with bias, {@code bias} [out]. */
public record Conv2d(Conv2dSpec spec) implements Layer {
  public Conv2d {
    Objects.requireNonNull(spec, "spec");
  }

  /** Conv2d(in, out, kernel, stride, padding, groups, bias) with zeros padding and dilation 1. */
  public Conv2d(int in, int out, int kernel, int stride, int padding, int groups, boolean bias) {
    this(Conv2dSpec.builder(in, out, kernel).stride(stride).padding(padding).groups(groups).bias(bias).build());
  }

  @Override
  public Value forward(Graph.Builder b, Value x, String path, Parameters p) {
    return b.named(Layer.nodeName(path, "conv2d")).conv2d(x, spec, p.get(Layer.join(path, "weight")),
        spec.hasBias() ? p.get(Layer.join(path, "bias")) : null);
  }

  @Override
  public void declare(String path, List<ParameterSpec> out) {
    int fanIn = spec.inChannels() / spec.groups() * spec.kernelH() * spec.kernelW();
    out.add(new ParameterSpec(Layer.join(path, "weight"),
        new int[] {spec.outChannels(), spec.inChannels() / spec.groups(), spec.kernelH(), spec.kernelW()},
        ParameterSpec.Init.WEIGHT, fanIn));
    if (spec.hasBias()) {
      out.add(new ParameterSpec(Layer.join(path, "bias"), new int[] {spec.outChannels()}, ParameterSpec.Init.BIAS,
          fanIn));
    }
  }
}
