package org.conv4j.backend;

import org.conv4j.spec.Check;
import org.conv4j.spec.Conv2dGeometry;
import org.conv4j.spec.Conv2dSpec;

/** A prepared conv2d. Its epilogue computes y = act(conv(x) + bias [+ residual]), residual shaped like y. */
public abstract class Conv2dPlan extends Plan {
  private final Conv2dSpec spec;
  private final Conv2dGeometry geometry;

  protected Conv2dPlan(Conv2dSpec spec, Conv2dGeometry g) {
    super(new int[] {spec.inChannels(), g.inH(), g.inW()}, new int[] {spec.outChannels(), g.outH(), g.outW()});
    this.spec = spec;
    this.geometry = g;
  }

  public Conv2dSpec spec() {
    return spec;
  }

  public Conv2dGeometry geometry() {
    return geometry;
  }

  /** The algorithm a run of one image uses (never AUTO). */
  public abstract Conv2dAlgorithm algorithm();

  /**
   * The algorithm a run of {@code batch} images uses (never AUTO). A plan prepared with AUTO may change algorithm
   * with the batch: the native backend runs 3x3 convolutions on small maps directly for one image and with
   * Winograd once the batch has enough tiles.
   */
  public Conv2dAlgorithm algorithm(int batch) {
    Check.positive("batch", batch);
    return algorithm();
  }

  /** Runs with a fused residual add before the activation: y = act(conv(x) + bias + residual). */
  public final void run(float[] x, int xOff, float[] y, int yOff, int batch, float[] residual, int rOff) {
    checkRun(x, xOff, y, yOff, batch);
    if (residual != null) {
      long n = (long) batch * outputSize();
      Check.span("residual", residual, rOff, n);
      Check.noOverlap("output", y, yOff, n, "residual", residual, rOff, n, true);
    }
    execute(x, xOff, y, yOff, batch, residual, rOff);
  }

  @Override
  protected final void execute(float[] x, int xOff, float[] y, int yOff, int batch) {
    execute(x, xOff, y, yOff, batch, null, 0);
  }

  /** Runs on spans already checked; residual may be null. */
  protected abstract void execute(
      float[] x, int xOff, float[] y, int yOff, int batch, float[] residual, int rOff);
}
