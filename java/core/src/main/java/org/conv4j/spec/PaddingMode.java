package org.conv4j.spec;

/** How a convolution fills the border, as PyTorch's {@code padding_mode}. Codes match C4J_PAD_* in conv4j.h. */
public enum PaddingMode {
  ZEROS(0), REFLECT(1), REPLICATE(2), CIRCULAR(3);

  public final int code;

  PaddingMode(int code) {
    this.code = code;
  }
}
