package org.conv4j.nn;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.List;
import java.util.Set;
import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;

/**
 * Children applied in order, as torch.nn.Sequential. Children are named "0", "1", ... ({@link #of(Layer...)}) or
 * explicitly ({@link #of(Named...)}), which also models a torch module whose forward calls its attributes in order
 * (ResNet's conv1, bn1, relu, ...). A name may repeat only for an equal layer: one torch module called twice
 * (torchvision's {@code self.relu}), whose parameters are then shared. A Sequential adds no path segment of its
 * own: its parent names it.
 */
public record Sequential(List<Named> children) implements Layer {
  public Sequential {
    children = List.copyOf(children);
    Map<String, Layer> seen = new HashMap<>();
    for (Named n : children) {
      if (n.name().isEmpty()) continue;
      Layer before = seen.putIfAbsent(n.name(), n.layer());
      if (before != null && !before.equals(n.layer())) {
        throw new IllegalArgumentException("child name \"" + n.name() + "\" names two different layers: " + before
            + " and " + n.layer());
      }
    }
  }

  @Override
  public void declare(String path, List<ParameterSpec> out) {
    Set<String> done = new HashSet<>(); // a module called twice (torch's shared self.relu) declares once
    for (Named n : children) {
      if (n.name().isEmpty() || done.add(n.name())) n.layer().declare(Layer.join(path, n.name()), out);
    }
  }

  /** Children named by index, as nn.Sequential(*layers). */
  public static Sequential of(Layer... layers) {
    List<Named> list = new ArrayList<>();
    for (int i = 0; i < layers.length; i++) list.add(new Named(Integer.toString(i), layers[i]));
    return new Sequential(list);
  }

  public static Sequential of(Named... children) {
    return new Sequential(List.of(children));
  }

  @Override
  public Value forward(Graph.Builder b, Value x, String path, Parameters p) {
    for (Named n : children) x = n.layer().forward(b, x, Layer.join(path, n.name()), p);
    return x;
  }
}
