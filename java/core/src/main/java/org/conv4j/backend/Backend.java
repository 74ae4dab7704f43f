package org.conv4j.backend;

import java.util.Objects;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Check;
import org.conv4j.spec.Conv2dGeometry;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.conv4j.spec.LinearSpec;
import org.conv4j.spec.Pool2dGeometry;
import org.conv4j.spec.Pool2dSpec;

/**
 * A compute backend: the pure-Java reference ({@code java}) or the native AVX2/FMA + OpenBLAS kernels
 * ({@code native}). The public methods validate every argument here, once for both backends, so that an
 * implementation (and native code behind it) only ever sees consistent sizes. Obtain one from {@link Backends}.
 */
public abstract class Backend {
  /** "java" or "native". */
  public abstract String name();

  /** The most threads a backend takes: more would only contend for cores (and a thread each costs a stack). */
  public static final int MAX_THREADS = 1024;

  /** Threads this backend's kernels use (>= 1). */
  public abstract int threads();

  /** Sets the threads this backend's kernels use; 1 <= n <= {@link #MAX_THREADS}. */
  public abstract void setThreads(int n);

  /** The check both backends' setThreads make, with the error they give. */
  protected static void checkThreads(int n) {
    if (n < 1 || n > MAX_THREADS) {
      throw new IllegalArgumentException("threads must be between 1 and " + MAX_THREADS + ", got " + n);
    }
  }

  /** Prepares a conv2d for inputs of [N, spec.inChannels, inH, inW]; weight OIHW, bias [outChannels] or null. */
  public final Conv2dPlan conv2d(
      Conv2dSpec spec, int inH, int inW, float[] weight, float[] bias, Conv2dAlgorithm algorithm) {
    Objects.requireNonNull(spec, "spec");
    Objects.requireNonNull(algorithm, "algorithm");
    Conv2dGeometry g = spec.geometry(inH, inW);
    Check.length("weight", weight, spec.weightSize(), spec.weightShapeText());
    checkBias(spec.hasBias(), bias, spec.outChannels());
    return prepareConv2d(spec, g, weight, bias, algorithm);
  }

  public final Conv2dPlan conv2d(Conv2dSpec spec, int inH, int inW, float[] weight, float[] bias) {
    return conv2d(spec, inH, inW, weight, bias, Conv2dAlgorithm.AUTO);
  }

  /** Prepares a conv_transpose2d for inputs of [N, spec.inChannels, inH, inW]; weight IOHW. */
  public final Plan convTranspose2d(
      ConvTranspose2dSpec spec, int inH, int inW, float[] weight, float[] bias) {
    Objects.requireNonNull(spec, "spec");
    Conv2dGeometry g = spec.geometry(inH, inW);
    Check.length("weight", weight, spec.weightSize(), spec.weightShapeText());
    checkBias(spec.hasBias(), bias, spec.outChannels());
    return prepareConvTranspose2d(spec, g, weight, bias);
  }

  /** Prepares a pooling for inputs of [N, channels, inH, inW]. */
  public final Plan pool2d(Pool2dSpec spec, int channels, int inH, int inW) {
    Objects.requireNonNull(spec, "spec");
    Check.positive("channels", channels);
    return preparePool2d(spec.geometry(inH, inW), channels);
  }

  /** Prepares a linear layer for inputs of [N, inFeatures]; weight [outFeatures, inFeatures]. */
  public final Plan linear(LinearSpec spec, float[] weight, float[] bias) {
    Objects.requireNonNull(spec, "spec");
    Check.length("weight", weight, spec.weightSize(), spec.weightShapeText());
    checkBias(spec.hasBias(), bias, spec.outFeatures());
    return prepareLinear(spec, weight, bias);
  }

  /** y[yOff + i] = act(x[xOff + i]) for i < count; y may be x's span itself (in place) but not overlap it otherwise. */
  public final void activation(Activation act, float[] x, int xOff, float[] y, int yOff, int count) {
    Objects.requireNonNull(act, "activation");
    Check.span("x", x, xOff, count);
    Check.span("y", y, yOff, count);
    Check.noOverlap("x", x, xOff, count, "y", y, yOff, count, true);
    doActivation(act, x, xOff, y, yOff, count);
  }

  /**
   * softmax (or log_softmax) over the middle axis of x viewed as [outer, dim, inner]: the softmax over dimension d
   * of a tensor of shape s has outer = prod(s[..d)), dim = s[d], inner = prod(s(d..]).
   */
  public final void softmax(
      float[] x, int xOff, float[] y, int yOff, int outer, int dim, int inner, boolean log) {
    Check.positive("outer", outer);
    Check.positive("dim", dim);
    Check.positive("inner", inner);
    long n = (long) outer * dim * inner;
    Check.span("x", x, xOff, n);
    Check.span("y", y, yOff, n);
    Check.noOverlap("x", x, xOff, n, "y", y, yOff, n, true);
    doSoftmax(x, xOff, y, yOff, outer, dim, inner, log);
  }

  /** y = a + b elementwise over count floats; y may be a's or b's span itself, but not overlap them otherwise. */
  public final void add(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int count) {
    Check.span("a", a, aOff, count);
    Check.span("b", b, bOff, count);
    Check.span("y", y, yOff, count);
    Check.noOverlap("a", a, aOff, count, "y", y, yOff, count, true);
    Check.noOverlap("b", b, bOff, count, "y", y, yOff, count, true);
    doAdd(a, aOff, b, bOff, y, yOff, count);
  }

  private static void checkBias(boolean hasBias, float[] bias, int n) {
    if (hasBias) {
      Check.length("bias", bias, n, "[" + n + "]");
    } else if (bias != null) {
      throw new IllegalArgumentException("bias was given (" + bias.length + " floats) but the spec has bias=false");
    }
  }

  protected abstract Conv2dPlan prepareConv2d(
      Conv2dSpec spec, Conv2dGeometry g, float[] weight, float[] bias, Conv2dAlgorithm algorithm);

  protected abstract Plan prepareConvTranspose2d(
      ConvTranspose2dSpec spec, Conv2dGeometry g, float[] weight, float[] bias);

  protected abstract Plan preparePool2d(Pool2dGeometry g, int channels);

  protected abstract Plan prepareLinear(LinearSpec spec, float[] weight, float[] bias);

  protected abstract void doActivation(Activation act, float[] x, int xOff, float[] y, int yOff, int count);

  protected abstract void doSoftmax(
      float[] x, int xOff, float[] y, int yOff, int outer, int dim, int inner, boolean log);

  protected abstract void doAdd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int count);

  @Override
  public String toString() {
    return name();
  }
}
