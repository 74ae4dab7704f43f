package org.conv4j.nn;

import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;
import org.conv4j.spec.Activation;

/** torch.nn.Sigmoid: 1 / (1 + exp(-x)). After a conv (or linear) whose output nothing else reads, it runs in that kernel's epilogue. */
public record Sigmoid() implements Layer {
  @Override
  public Value forward(Graph.Builder b, Value x, String path, Parameters p) {
    return b.named(Layer.nodeName(path, "sigmoid")).activation(x, Activation.SIGMOID);
  }
}
