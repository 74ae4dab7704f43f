package org.conv4j.backend.java;

import org.conv4j.backend.Backend;
import org.conv4j.backend.Conv2dAlgorithm;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.backend.Plan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dGeometry;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.conv4j.spec.LinearSpec;
import org.conv4j.spec.Pool2dGeometry;

/** PLACEHOLDER — the pure-Java reference backend; the kernels land in this package. */
public final class JavaBackend extends Backend {
  private static final JavaBackend INSTANCE = new JavaBackend();

  public static JavaBackend instance() {
    return INSTANCE;
  }

  @Override public String name() { return "java"; }
  @Override public int threads() { return 1; }
  @Override public void setThreads(int n) {}
  @Override protected Conv2dPlan prepareConv2d(Conv2dSpec s, Conv2dGeometry g, float[] w, float[] b, Conv2dAlgorithm a) { throw new UnsupportedOperationException(); }
  @Override protected Plan prepareConvTranspose2d(ConvTranspose2dSpec s, Conv2dGeometry g, float[] w, float[] b) { throw new UnsupportedOperationException(); }
  @Override protected Plan preparePool2d(Pool2dGeometry g, int c) { throw new UnsupportedOperationException(); }
  @Override protected Plan prepareLinear(LinearSpec s, float[] w, float[] b) { throw new UnsupportedOperationException(); }
  @Override protected void doActivation(Activation a, float[] x, int xo, float[] y, int yo, int n) { throw new UnsupportedOperationException(); }
  @Override protected void doSoftmax(float[] x, int xo, float[] y, int yo, int o, int d, int i, boolean l) { throw new UnsupportedOperationException(); }
  @Override protected void doAdd(float[] a, int ao, float[] b, int bo, float[] y, int yo, int n) { throw new UnsupportedOperationException(); }
}
