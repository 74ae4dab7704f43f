package org.conv4j.nn;

import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;

/** torch.nn.Dropout(p): the identity at inference (eval mode); p is kept for the description only. */
public record Dropout(float p) implements Layer {
  public Dropout {
    if (!(p >= 0f && p <= 1f)) throw new IllegalArgumentException("dropout probability p must be in [0, 1], got " + p);
  }

  public Dropout() {
    this(0.5f);
  }

  @Override
  public Value forward(Graph.Builder b, Value x, String path, Parameters params) {
    return b.named(Layer.nodeName(path, "dropout")).identity(x);
  }
}
