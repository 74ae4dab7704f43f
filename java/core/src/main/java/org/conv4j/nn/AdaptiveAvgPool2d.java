package org.conv4j.nn;

import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;
import org.conv4j.spec.Pool2dSpec;

/** torch.nn.AdaptiveAvgPool2d((outH, outW)). */
public record AdaptiveAvgPool2d(int outH, int outW) implements Layer {
  public AdaptiveAvgPool2d {
    Pool2dSpec.adaptiveAvg(outH, outW); // validates
  }

  @Override
  public Value forward(Graph.Builder b, Value x, String path, Parameters p) {
    return b.named(Layer.nodeName(path, "adaptive_avg_pool2d")).pool2d(x, Pool2dSpec.adaptiveAvg(outH, outW));
  }
}
