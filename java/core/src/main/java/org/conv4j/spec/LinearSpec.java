package org.conv4j.spec;

import java.util.Objects;

/** torch.nn.Linear: y = act(x W^T + b), W of shape [outFeatures, inFeatures]. */
public record LinearSpec(int inFeatures, int outFeatures, boolean hasBias, Activation activation) {
  public LinearSpec {
    Check.positive("inFeatures", inFeatures);
    Check.positive("outFeatures", outFeatures);
    Objects.requireNonNull(activation, "activation");
  }

  public LinearSpec(int inFeatures, int outFeatures) {
    this(inFeatures, outFeatures, true, Activation.NONE);
  }

  public long weightSize() {
    return (long) inFeatures * outFeatures;
  }

  public String weightShapeText() {
    return "[" + outFeatures + ", " + inFeatures + "]";
  }
}
