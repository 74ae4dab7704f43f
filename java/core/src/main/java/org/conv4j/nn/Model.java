package org.conv4j.nn;

import java.util.Objects;
import org.conv4j.backend.Backend;
import org.conv4j.graph.Graph;
import org.conv4j.graph.Layout;
import org.conv4j.graph.PrepareOptions;
import org.conv4j.graph.PreparedModel;
import org.conv4j.graph.Value;

/**
 * A network with its weights, ready to be lowered to a graph and prepared on a backend. The parameters are
 * checked against the network's declarations on construction.
 *
 * <pre>{@code
 * Model m = ResNet.resnet18(1000).load(Path.of("resnet18.safetensors"));
 * try (PreparedModel p = m.prepare(Backends.defaultBackend(), 1)) {
 *   Tensor logits = p.run(image); // [1, 1000]
 * }
 * }</pre>
 */
public record Model(Network network, Parameters parameters) {
  public Model {
    Objects.requireNonNull(network, "network");
    Objects.requireNonNull(parameters, "parameters");
    parameters.checkFor(network.layer(), network.name());
  }

  /** The graph: input "input", output "output". */
  public Graph graph() {
    Graph.Builder b = Graph.builder();
    Value x = b.input("input");
    b.output("output", network.layer().forward(b, x, "", parameters));
    return b.build();
  }

  /** Prepares for NCHW inputs of [batch, ...network input shape] with default options. */
  public PreparedModel prepare(Backend backend, int batch) {
    return prepare(backend, batch, PrepareOptions.DEFAULT);
  }

  /** Prepares for [batch, ...input shape] in the options' layout (NHWC: [batch, H, W, C]). */
  public PreparedModel prepare(Backend backend, int batch, PrepareOptions options) {
    int[] s = network.inputShape();
    int[] shape;
    if (options.layout() == Layout.NHWC) {
      if (s.length != 3) throw new IllegalArgumentException("NHWC needs a [C, H, W] network input, " + network + " has rank " + s.length);
      shape = new int[] {batch, s[1], s[2], s[0]};
    } else {
      shape = new int[s.length + 1];
      shape[0] = batch;
      System.arraycopy(s, 0, shape, 1, s.length);
    }
    return graph().prepare(backend, shape, options);
  }
}
