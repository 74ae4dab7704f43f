package org.conv4j.nn;

import java.util.Objects;

/**
 * A child layer and its attribute name in the parent (PyTorch's module name: "conv1", "0", "downsample"). The empty
 * name makes the child inline: its parameters sit at the parent's own path, for structure that is code in a torch
 * forward rather than a submodule (the concat of SqueezeNet's Fire, whose branches are Fire's own attributes).
 */
public record Named(String name, Layer layer) {
  public Named {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(layer, "layer");
    if (name.contains(".")) throw new IllegalArgumentException("child name must not contain dots, got \"" + name + "\"");
  }

  /** A child at the parent's own path. */
  public static Named inline(Layer layer) {
    return new Named("", layer);
  }
}
