package org.conv4j.backend.jni;

import org.conv4j.backend.Plan;

/** A native plan whose run takes only input and output (conv_transpose2d, pool2d, linear). */
final class NativeSimplePlan extends Plan {
  /** The shape shared by c4j_conv_transpose2d_run, c4j_pool2d_run and c4j_linear_run. */
  @FunctionalInterface
  interface RunFn {
    int run(long plan, int batch, float[] x, long xLen, long xOff, float[] y, long yLen, long yOff);
  }

  private final NativePlan plan;
  private final RunFn fn;

  NativeSimplePlan(int[] inShape, int[] outShape, NativePlan plan, RunFn fn) {
    super(inShape, outShape);
    this.plan = plan;
    this.fn = fn;
  }

  @Override
  protected void execute(float[] x, int xOff, float[] y, int yOff, int batch) {
    long h = plan.acquire();
    try {
      NativePlan.check(fn.run(h, batch, x, x.length, xOff, y, y.length, yOff), "native kernel");
    } finally {
      plan.release();
    }
  }

  @Override
  public void close() {
    plan.close();
  }
}
