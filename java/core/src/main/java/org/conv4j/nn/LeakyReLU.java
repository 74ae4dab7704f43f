package org.conv4j.nn;

import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;
import org.conv4j.spec.Activation;

/** torch.nn.LeakyReLU(negative_slope), default 0.01; fused into a preceding conv's epilogue when possible. */
public record LeakyReLU(float negativeSlope) implements Layer {
  public LeakyReLU {
    Activation.leakyRelu(negativeSlope); // validates
  }

  public LeakyReLU() {
    this(0.01f);
  }

  @Override
  public Value forward(Graph.Builder b, Value x, String path, Parameters p) {
    return b.named(Layer.nodeName(path, "leaky_relu")).activation(x, Activation.leakyRelu(negativeSlope));
  }
}
