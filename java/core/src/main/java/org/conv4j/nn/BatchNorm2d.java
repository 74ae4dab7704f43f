package org.conv4j.nn;

import java.util.List;
import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;
import org.conv4j.spec.Check;

/**
 * torch.nn.BatchNorm2d in eval mode: {@code weight}, {@code bias}, {@code running_mean}, {@code running_var}, all
 * [numFeatures] ({@code num_batches_tracked} is ignored). Right after a conv it is folded into the conv's weights.
 */
public record BatchNorm2d(int numFeatures, float eps) implements Layer {
  public BatchNorm2d {
    Check.positive("numFeatures", numFeatures);
    if (!(eps >= 0f) || Float.isInfinite(eps)) throw new IllegalArgumentException("eps must be finite and >= 0, got " + eps);
  }

  /** PyTorch's default eps 1e-5. */
  public BatchNorm2d(int numFeatures) {
    this(numFeatures, 1e-5f);
  }

  @Override
  public Value forward(Graph.Builder b, Value x, String path, Parameters p) {
    return b.named(Layer.nodeName(path, "batch_norm2d")).batchNorm2d(x, p.get(Layer.join(path, "weight")),
        p.get(Layer.join(path, "bias")), p.get(Layer.join(path, "running_mean")),
        p.get(Layer.join(path, "running_var")), eps);
  }

  @Override
  public void declare(String path, List<ParameterSpec> out) {
    int[] s = {numFeatures};
    out.add(new ParameterSpec(Layer.join(path, "weight"), s, ParameterSpec.Init.BN_WEIGHT, numFeatures));
    out.add(new ParameterSpec(Layer.join(path, "bias"), s, ParameterSpec.Init.BN_BIAS, numFeatures));
    out.add(new ParameterSpec(Layer.join(path, "running_mean"), s, ParameterSpec.Init.BN_MEAN, numFeatures));
    out.add(new ParameterSpec(Layer.join(path, "running_var"), s, ParameterSpec.Init.BN_VAR, numFeatures));
  }
}
