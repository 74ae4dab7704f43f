package org.conv4j.nn;

import java.util.List;
import org.conv4j.graph.Graph;
import org.conv4j.graph.Value;

/**
 * A torch.nn-style layer: an immutable description (configuration only, no weights) that appends its ops to a
 * {@link Graph.Builder}, reading its weights from a {@link Parameters} state dict under its path. Paths and
 * parameter names are PyTorch's: a child named {@code conv1} inside {@code layer1.0} owns
 * {@code layer1.0.conv1.weight}. Containers ({@link Sequential}, {@link Residual}, {@link Concat}) give their
 * children paths; a layer never knows its own name otherwise.
 */
public interface Layer {
  /**
   * Appends this layer's ops reading x and returns its output. path is the layer's state_dict path ("" for the
   * root); nodes are named after it, so errors point at e.g. {@code layer2.0.downsample.0}.
   */
  Value forward(Graph.Builder b, Value x, String path, Parameters params);

  /** Adds this layer's parameters (full names, shapes, initialisation) in state_dict order. */
  default void declare(String path, List<ParameterSpec> out) {}

  /** path + "." + name, name at the root, path for an inline child (empty name). */
  static String join(String path, String name) {
    return path.isEmpty() ? name : name.isEmpty() ? path : path + "." + name;
  }

  /** The node name for a layer at path: the path itself, or fallback at the root. */
  static String nodeName(String path, String fallback) {
    return path.isEmpty() ? fallback : path;
  }
}
