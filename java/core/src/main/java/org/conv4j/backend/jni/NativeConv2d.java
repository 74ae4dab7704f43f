package org.conv4j.backend.jni;

import org.conv4j.backend.Conv2dAlgorithm;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.spec.Check;
import org.conv4j.spec.Conv2dGeometry;
import org.conv4j.spec.Conv2dSpec;

/** A conv2d prepared by the native kernels (native/src/conv2d*.cpp): weights packed once, one call per run. */
final class NativeConv2d extends Conv2dPlan {
  private final NativePlan plan;
  private final Conv2dAlgorithm algorithm;

  NativeConv2d(Conv2dSpec spec, Conv2dGeometry g, NativePlan plan, Conv2dAlgorithm algorithm) {
    super(spec, g);
    this.plan = plan;
    this.algorithm = algorithm;
  }

  @Override
  public Conv2dAlgorithm algorithm() {
    return algorithm;
  }

  @Override
  public Conv2dAlgorithm algorithm(int batch) {
    Check.positive("batch", batch);
    long h = plan.acquire();
    try {
      int code = NativeLib.c4j_conv2d_algo_for_batch(h, batch);
      NativePlan.check(Math.min(code, 0), "conv2d");
      return Conv2dAlgorithm.ofCode(code);
    } finally {
      plan.release();
    }
  }

  @Override
  protected void execute(float[] x, int xOff, float[] y, int yOff, int batch, float[] residual, int rOff) {
    long h = plan.acquire();
    try {
      NativePlan.check(NativeLib.c4j_conv2d_run(h, batch, x, x.length, xOff, y, y.length, yOff, residual,
          residual == null ? 0 : residual.length, rOff), "conv2d");
    } finally {
      plan.release();
    }
  }

  @Override
  public void close() {
    plan.close();
  }
}
