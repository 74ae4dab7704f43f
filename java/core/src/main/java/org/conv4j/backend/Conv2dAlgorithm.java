package org.conv4j.backend;

/**
 * Convolution algorithms a backend may use. AUTO lets the plan choose; any other forces one (tests force each
 * in turn), and a backend that cannot run that algorithm for the configuration refuses at prepare time.
 * Codes match C4J_ALGO_* in conv4j.h. The Java backend implements DIRECT and IM2COL_GEMM (AUTO picks the latter
 * for all but tiny problems) and treats the native-only ones as unsupported.
 */
public enum Conv2dAlgorithm {
  AUTO(0), DIRECT(1), IM2COL_GEMM(2), GEMM_1X1(3), DEPTHWISE(4), WINOGRAD(5);

  public final int code;

  Conv2dAlgorithm(int code) {
    this.code = code;
  }

  public static Conv2dAlgorithm ofCode(int code) {
    for (Conv2dAlgorithm a : values()) if (a.code == code) return a;
    throw new IllegalArgumentException("unknown algorithm code " + code);
  }
}
