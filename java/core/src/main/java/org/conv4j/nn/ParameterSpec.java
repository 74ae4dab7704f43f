package org.conv4j.nn;

import java.util.Arrays;
import java.util.Objects;

/**
 * A parameter a layer expects: its state_dict name, its shape and how {@link Parameters#random} fills it.
 *
 * @param fanIn inputs per output (in_channels/groups * kernel area, or in_features) that scales WEIGHT and BIAS
 */
public record ParameterSpec(String name, int[] shape, Init init, int fanIn) {
  /** Deterministic random initialisation, scaled so activations stay of order one through deep networks. */
  public enum Init {
    /** Kaiming-uniform with ReLU gain: U(-sqrt(6 / fanIn), sqrt(6 / fanIn)), which keeps E[x^2] through conv+relu. */
    WEIGHT,
    /** PyTorch's default bias: U(-1 / sqrt(fanIn), 1 / sqrt(fanIn)). */
    BIAS,
    /** BatchNorm gamma: U(0.5, 1.0), a little below one so residual sums do not grow block after block. */
    BN_WEIGHT,
    /** BatchNorm beta: U(-0.1, 0.1). */
    BN_BIAS,
    /** BatchNorm running_mean: U(-0.1, 0.1). */
    BN_MEAN,
    /** BatchNorm running_var: U(0.5, 1.5). */
    BN_VAR
  }

  public ParameterSpec {
    Objects.requireNonNull(name, "name");
    shape = shape.clone();
    Objects.requireNonNull(init, "init");
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  @Override
  public String toString() {
    return name + Arrays.toString(shape);
  }
}
