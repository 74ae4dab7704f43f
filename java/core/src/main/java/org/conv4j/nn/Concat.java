package org.conv4j.nn;

import java.util.ArrayList;
import java.util.List;
import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;

/**
 * Parallel branches on the same input, concatenated along dim (torch.cat), as Inception blocks or SqueezeNet's
 * Fire expand layers. Each branch's children sit at the container's own path (as {@link Residual}'s main).
 */
public record Concat(List<Sequential> branches, int dim) implements Layer {
  public Concat {
    branches = List.copyOf(branches);
    if (branches.isEmpty()) throw new IllegalArgumentException("Concat needs at least one branch");
  }

  @Override
  public Value forward(Graph.Builder b, Value x, String path, Parameters p) {
    List<Value> outs = new ArrayList<>();
    for (Sequential s : branches) outs.add(s.forward(b, x, path, p));
    return b.named(Layer.join(path, "cat")).concat(outs, dim);
  }

  @Override
  public void declare(String path, List<ParameterSpec> out) {
    for (Sequential s : branches) s.declare(path, out);
  }
}
