package org.conv4j.nn;

import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;

/** torch.nn.LogSoftmax(dim). */
public record LogSoftmax(int dim) implements Layer {
  @Override
  public Value forward(Graph.Builder b, Value x, String path, Parameters p) {
    return b.named(Layer.nodeName(path, "log_softmax")).softmax(x, dim, true);
  }
}
