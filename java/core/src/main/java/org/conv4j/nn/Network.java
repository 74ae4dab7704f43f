package org.conv4j.nn;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Objects;
import org.conv4j.spec.Check;

/**
 * An architecture: a root layer plus the per-image input shape it was designed for (e.g. [3, 224, 224]). Pair it
 * with weights to get a {@link Model}: deterministic random ones, a state dict, or a safetensors file.
 */
public record Network(String name, Layer layer, int[] inputShape) {
  public Network {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(layer, "layer");
    inputShape = inputShape.clone();
    for (int i = 0; i < inputShape.length; i++) Check.positive("inputShape[" + i + "]", inputShape[i]);
  }

  @Override
  public int[] inputShape() {
    return inputShape.clone();
  }

  /** With deterministic random weights (see {@link Parameters#random}). */
  public Model random(long seed) {
    return new Model(this, Parameters.random(layer, seed));
  }

  /** With the given state dict, checked: every missing, mis-shaped or unexpected tensor is reported at once. */
  public Model withParameters(Parameters params) {
    return new Model(this, params);
  }

  /** With the weights of a safetensors file (PyTorch state_dict names), checked as {@link #withParameters}. */
  public Model load(Path safetensors) throws IOException {
    return new Model(this, Parameters.load(safetensors));
  }

  @Override
  public String toString() {
    return name + Arrays.toString(inputShape);
  }
}
