package org.conv4j.backend;

import java.util.Arrays;
import org.conv4j.Tensor;
import org.conv4j.spec.Check;

/**
 * A prepared kernel: configuration validated, algorithm chosen and weights packed once, then run many times.
 * Bound to one per-image input shape; the batch size is given per run. Running checks every span in Java before
 * anything executes. Plans are safe to run from several threads at once; close() releases native memory and is
 * idempotent, and running a closed plan is an IllegalStateException.
 */
public abstract class Plan implements AutoCloseable {
  private final int[] inShape;
  private final int[] outShape;
  private final int inPerImage;
  private final int outPerImage;

  protected Plan(int[] inShape, int[] outShape) {
    this.inShape = inShape.clone();
    this.outShape = outShape.clone();
    this.inPerImage = Math.toIntExact(Tensor.numel(inShape));
    this.outPerImage = Math.toIntExact(Tensor.numel(outShape));
  }

  /** Per-image input shape, e.g. [C, H, W] (without the batch dimension). */
  public int[] inputShape() {
    return inShape.clone();
  }

  /** Per-image output shape, e.g. [C, H, W]. */
  public int[] outputShape() {
    return outShape.clone();
  }

  public int inputSize() {
    return inPerImage;
  }

  public int outputSize() {
    return outPerImage;
  }

  /** Runs batch images from x[xOff..] into y[yOff..]. */
  public final void run(float[] x, int xOff, float[] y, int yOff, int batch) {
    checkRun(x, xOff, y, yOff, batch);
    execute(x, xOff, y, yOff, batch);
  }

  /** Runs a [N, ...inputShape] tensor into a new [N, ...outputShape] tensor. */
  public final Tensor run(Tensor x) {
    int[] s = x.shape();
    if (s.length != inShape.length + 1 || !Arrays.equals(Arrays.copyOfRange(s, 1, s.length), inShape)) {
      throw new IllegalArgumentException(
          "input has shape " + Arrays.toString(s) + " but this plan was prepared for [N, "
              + Arrays.toString(inShape).substring(1));
    }
    int[] os = new int[outShape.length + 1];
    os[0] = s[0];
    System.arraycopy(outShape, 0, os, 1, outShape.length);
    Tensor y = Tensor.zeros(os);
    run(x.data(), 0, y.data(), 0, s[0]);
    return y;
  }

  protected final void checkRun(float[] x, int xOff, float[] y, int yOff, int batch) {
    Check.positive("batch", batch);
    Check.span("input", x, xOff, (long) batch * inPerImage);
    Check.span("output", y, yOff, (long) batch * outPerImage);
    Check.noOverlap("input", x, xOff, (long) batch * inPerImage, "output", y, yOff, (long) batch * outPerImage, false);
  }

  /** Runs on spans already checked. */
  protected abstract void execute(float[] x, int xOff, float[] y, int yOff, int batch);

  @Override
  public void close() {}
}
