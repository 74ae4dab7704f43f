package org.conv4j.backend;

/**
 * Convolution algorithms a backend may use. AUTO lets the plan choose; any other forces one (tests force each
 * in turn), and a backend that cannot run that algorithm for the configuration refuses at prepare time.
 * Codes match C4J_ALGO_* in conv4j.h. WINOGRAD is F(4x4, 3x3), WINOGRAD_2X2 F(2x2, 3x3) (for small maps such as
 * 7x7); both need a 3x3 stride-1 dilation-1 kernel and at least 16 input channels per group. DEPTHWISE needs one
 * input channel per group. The Java backend implements DIRECT, IM2COL_GEMM, WINOGRAD and DEPTHWISE and treats the
 * native-only ones (GEMM_1X1, WINOGRAD_2X2) as unsupported.
 */
public enum Conv2dAlgorithm {
  AUTO(0), DIRECT(1), IM2COL_GEMM(2), GEMM_1X1(3), DEPTHWISE(4), WINOGRAD(5), WINOGRAD_2X2(6);

  public final int code;

  Conv2dAlgorithm(int code) {
    this.code = code;
  }

  public static Conv2dAlgorithm ofCode(int code) {
    for (Conv2dAlgorithm a : values()) if (a.code == code) return a;
    throw new IllegalArgumentException("unknown algorithm code " + code);
  }
}
