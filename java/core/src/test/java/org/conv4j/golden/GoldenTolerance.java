package org.conv4j.golden;

import org.conv4j.spec.Activation;

/**
 * How far a float32 kernel output may be from its golden value, per element, derived from rounding-error bounds
 * rather than tuned. The golden y is PyTorch's result computed in float64 from the same float32 inputs, so its own
 * error is one final rounding (u|y|, u = 2^-24); everything else allowed is the kernel's float32 error:
 *
 * <ul>
 *   <li>A sum of n products in float32, in any order and blocking (naive loop, FMA vectors, SGEMM, im2col) is off
 *       by at most gamma(n) * sum|x_i w_i| with gamma(n) = n u / (1 - n u) (Higham, Accuracy and Stability of
 *       Numerical Algorithms, 2nd ed., eq. 3.5). The fixture records abs_scale = max over outputs of
 *       sum|x_i w_i| + |b| + |r|; n counts the products plus the bias and residual additions.
 *   <li>relu, leaky_relu, clamp and sigmoid/tanh are 1-Lipschitz, so they pass that error on without growth;
 *       sigmoid/tanh add their own error, at most {@link #TRANSCENDENTAL_ULPS} ulps of the result (vectorised
 *       exp/tanh polynomials), and may flush subnormal results to zero ({@link Float#MIN_NORMAL} absolute).
 *   <li>Max pooling, relu/leaky_relu/clamp alone and add are exact in float32 (a selection, a sign test, or one
 *       correctly rounded operation that the float64 golden rounds identically): tolerance zero.
 *   <li>An average over at most n inputs: gamma(n) * max|x| for the sum (the divisor is at least the number of
 *       summed inputs), plus the division and the golden's rounding.
 *   <li>softmax: each exp is within T ulps and the positive sum of dim terms within gamma(dim) relatively, so
 *       y is within gamma(dim) + (2T + 2) u relatively. log_softmax = (x - max) - log(sum): log(sum) is off by
 *       gamma(dim) + T u absolutely, and the subtractions by a few ulps of |y| (both parts are at most |y|).
 * </ul>
 * Any indexing, padding or epilogue mistake shows up as an error of the order of |y| itself, thousands of times
 * these bounds for the fixture sizes.
 */
final class GoldenTolerance {
  /** Unit roundoff of float32. */
  static final double U = 0x1p-24;
  /** Error of the exp/tanh/sigmoid implementations, in units of the result's last place. */
  static final double TRANSCENDENTAL_ULPS = 4;

  private final double absolute;
  private final double relative;

  private GoldenTolerance(double absolute, double relative) {
    this.absolute = absolute;
    this.relative = relative;
  }

  /** Allowed |actual - expected| at this expected value. */
  double at(float expected) {
    return absolute + relative * Math.abs(expected);
  }

  static double gamma(long n) {
    return n * U / (1 - n * U);
  }

  static final GoldenTolerance EXACT = new GoldenTolerance(0, 0);

  /** A dot-product kernel (conv, transposed conv, linear) with a fused activation. */
  static GoldenTolerance dot(long terms, double absScale, Activation act) {
    return new GoldenTolerance(gamma(terms) * absScale + Float.MIN_NORMAL, (1 + ownUlps(act)) * U);
  }

  /**
   * WINOGRAD's extra allowance over direct summation. F(4x4, 3x3) sums in the transformed domain: the input
   * transform (row sums of |B^T| up to 10), the products, and the output transform (row sums of |A^T| up to 19)
   * round values up to those factors times the 6x6 input tile, so an output's error scales with the whole tile
   * rather than its own window, by a factor of order ten. abs_scale is already the maximum over all outputs, so it
   * covers the tile-wide magnitude; a wrong transform coefficient errs by O(abs_scale), far above this bound.
   */
  static final double WINOGRAD_FACTOR = 10;

  /** This tolerance with its absolute (summation) part widened for Winograd's transforms. */
  GoldenTolerance forWinograd() {
    return new GoldenTolerance(absolute * WINOGRAD_FACTOR, relative);
  }

  /** An activation on its own. */
  static GoldenTolerance activation(Activation act) {
    double own = ownUlps(act);
    return own == 0 ? EXACT : new GoldenTolerance(Float.MIN_NORMAL, (1 + own) * U);
  }

  /** Average of at most maxTerms inputs whose largest magnitude is maxAbsInput. */
  static GoldenTolerance average(long maxTerms, double maxAbsInput) {
    return new GoldenTolerance(gamma(maxTerms) * maxAbsInput, 3 * U);
  }

  static GoldenTolerance softmax(int dim) {
    return new GoldenTolerance(Float.MIN_NORMAL, gamma(dim) + (2 * TRANSCENDENTAL_ULPS + 2) * U);
  }

  static GoldenTolerance logSoftmax(int dim) {
    return new GoldenTolerance(gamma(dim) + TRANSCENDENTAL_ULPS * U, (TRANSCENDENTAL_ULPS + 3) * U);
  }

  private static double ownUlps(Activation act) {
    switch (act.kind()) {
      case SIGMOID:
      case TANH:
        return TRANSCENDENTAL_ULPS;
      default:
        return 0;
    }
  }

  @Override
  public String toString() {
    return String.format("%.3g + %.3g*|y|", absolute, relative);
  }
}
