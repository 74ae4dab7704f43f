package org.conv4j.nn;

import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;
import org.conv4j.spec.Activation;

/** torch.nn.ReLU: max(x, 0). After a conv (or linear) whose output nothing else reads, it runs in that kernel's epilogue. */
public record ReLU() implements Layer {
  @Override
  public Value forward(Graph.Builder b, Value x, String path, Parameters p) {
    return b.named(Layer.nodeName(path, "relu")).activation(x, Activation.RELU);
  }
}
