package org.conv4j.nn;

import java.util.List;
import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;
import org.conv4j.spec.LinearSpec;

/** torch.nn.Linear: {@code weight} [out, in] and, with bias, {@code bias} [out]; input [..., in]. */
public record Linear(int inFeatures, int outFeatures, boolean bias) implements Layer {
  public Linear {
    new LinearSpec(inFeatures, outFeatures); // validates
  }

  public Linear(int inFeatures, int outFeatures) {
    this(inFeatures, outFeatures, true);
  }

  @Override
  public Value forward(Graph.Builder b, Value x, String path, Parameters p) {
    LinearSpec spec = new LinearSpec(inFeatures, outFeatures, bias, org.conv4j.spec.Activation.NONE);
    return b.named(Layer.nodeName(path, "linear")).linear(x, spec, p.get(Layer.join(path, "weight")),
        bias ? p.get(Layer.join(path, "bias")) : null);
  }

  @Override
  public void declare(String path, List<ParameterSpec> out) {
    out.add(new ParameterSpec(Layer.join(path, "weight"), new int[] {outFeatures, inFeatures},
        ParameterSpec.Init.WEIGHT, inFeatures));
    if (bias) {
      out.add(new ParameterSpec(Layer.join(path, "bias"), new int[] {outFeatures}, ParameterSpec.Init.BIAS,
          inFeatures));
    }
  }
}
