package org.conv4j.nn;

import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;

/** torch.nn.Flatten(start_dim, end_dim=-1), default start_dim 1. No copy at run time. */
public record Flatten(int startDim) implements Layer {
  public Flatten() {
    this(1);
  }

  @Override
  public Value forward(Graph.Builder b, Value x, String path, Parameters p) {
    return b.named(Layer.nodeName(path, "flatten")).flatten(x, startDim);
  }
}
