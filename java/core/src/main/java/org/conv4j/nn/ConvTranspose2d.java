package org.conv4j.nn;

import java.util.List;
import java.util.Objects;
import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;
import org.conv4j.spec.ConvTranspose2dSpec;

/** torch.nn.ConvTranspose2d: {@code weight} [in, out/groups, kh, kw] and, with bias, {@code bias} [out]. */
public record ConvTranspose2d(ConvTranspose2dSpec spec) implements Layer {
  public ConvTranspose2d {
    Objects.requireNonNull(spec, "spec");
  }

  @Override
  public Value forward(Graph.Builder b, Value x, String path, Parameters p) {
    return b.named(Layer.nodeName(path, "conv_transpose2d")).convTranspose2d(x, spec,
        p.get(Layer.join(path, "weight")), spec.hasBias() ? p.get(Layer.join(path, "bias")) : null);
  }

  @Override
  public void declare(String path, List<ParameterSpec> out) {
    // PyTorch computes fan_in from weight.size(1) * kernel area for transposed convs too
    int fanIn = spec.outChannels() / spec.groups() * spec.kernelH() * spec.kernelW();
    out.add(new ParameterSpec(Layer.join(path, "weight"),
        new int[] {spec.inChannels(), spec.outChannels() / spec.groups(), spec.kernelH(), spec.kernelW()},
        ParameterSpec.Init.WEIGHT, fanIn));
    if (spec.hasBias()) {
      out.add(new ParameterSpec(Layer.join(path, "bias"), new int[] {spec.outChannels()}, ParameterSpec.Init.BIAS,
          fanIn));
    }
  }
}
