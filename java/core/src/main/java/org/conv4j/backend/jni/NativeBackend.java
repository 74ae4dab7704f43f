package org.conv4j.backend.jni;

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

/**
 * The native backend: C++ AVX2/FMA kernels and OpenBLAS SGEMM behind the flat C API of native/include/conv4j.h.
 * Arguments arrive here already validated by {@link Backend}; each call passes the array lengths too, and the
 * native side checks them again against its plan.
 */
public final class NativeBackend extends Backend {
  /** Set to true to make the native library count as unavailable (tests simulate a machine without it). */
  public static final String DISABLE_PROPERTY = "conv4j.native.disable";

  private static final class Holder {
    static final String REASON = load();
    static final NativeBackend INSTANCE = REASON == null ? new NativeBackend() : null;

    private static String load() {
      if (Boolean.getBoolean(DISABLE_PROPERTY)) return "the system property " + DISABLE_PROPERTY + " is true";
      try {
        NativeLib.load();
      } catch (Throwable t) {
        return "the native library did not load (" + t + ")";
      }
      if (NativeLib.c4j_cpu_has_avx2_fma() == 0) {
        return "the CPU (" + NativeLib.c4j_cpu_brand() + ") lacks AVX2/FMA";
      }
      return null;
    }
  }

  private NativeBackend() {}

  /** Null when the native backend can be used, otherwise why not. */
  public static String unavailableReason() {
    return Holder.REASON;
  }

  /** The native backend, or an IllegalStateException saying why it cannot be used here. */
  public static NativeBackend instance() {
    if (Holder.REASON != null) {
      throw new IllegalStateException("the native backend is unavailable: " + Holder.REASON);
    }
    return Holder.INSTANCE;
  }

  /** CPU model string from CPUID. */
  public static String cpuBrand() {
    instance();
    return NativeLib.c4j_cpu_brand();
  }

  public static String version() {
    instance();
    return NativeLib.c4j_version();
  }

  @Override
  public String name() {
    return "native";
  }

  @Override
  public int threads() {
    return NativeLib.c4j_get_num_threads();
  }

  @Override
  public void setThreads(int n) {
    checkThreads(n);
    NativeLib.c4j_set_num_threads(n);
  }

  static int[] convParams(
      int inC, int outC, Conv2dGeometry g, int kh, int kw, int sh, int sw, int dh, int dw, int groups,
      int padMode, Activation act, int outPadH, int outPadW) {
    int[] p = new int[NativeLib.CP_COUNT];
    p[0] = inC; p[1] = g.inH(); p[2] = g.inW(); p[3] = outC; p[4] = kh; p[5] = kw; p[6] = sh; p[7] = sw;
    p[8] = g.padTop(); p[9] = g.padLeft(); p[10] = g.padBottom(); p[11] = g.padRight(); p[12] = dh; p[13] = dw;
    p[14] = groups; p[15] = padMode; p[16] = act.kind().code; p[17] = outPadH; p[18] = outPadW;
    return p;
  }

  @Override
  protected Conv2dPlan prepareConv2d(
      Conv2dSpec spec, Conv2dGeometry g, float[] weight, float[] bias, Conv2dAlgorithm algorithm) {
    int[] p = convParams(spec.inChannels(), spec.outChannels(), g, spec.kernelH(), spec.kernelW(),
        spec.strideH(), spec.strideW(), spec.dilationH(), spec.dilationW(), spec.groups(),
        spec.paddingMode().code, spec.activation(), 0, 0);
    Activation act = spec.activation();
    long h = NativeLib.c4j_conv2d_create(p, p.length, weight, weight.length, bias, bias == null ? 0 : bias.length,
        act.a(), act.b(), algorithm.code);
    if (h == 0) {
      throw new IllegalArgumentException(
          "native conv2d cannot prepare " + spec + " with algorithm " + algorithm + ": " + NativeLib.c4j_last_error());
    }
    return new NativeConv2d(spec, g, new NativePlan(h, "conv2d"),
        Conv2dAlgorithm.ofCode(NativeLib.c4j_conv2d_algo(h)));
  }

  @Override
  protected Plan prepareConvTranspose2d(
      ConvTranspose2dSpec spec, Conv2dGeometry g, float[] weight, float[] bias) {
    int[] p = convParams(spec.inChannels(), spec.outChannels(), g, spec.kernelH(), spec.kernelW(),
        spec.strideH(), spec.strideW(), spec.dilationH(), spec.dilationW(), spec.groups(), 0,
        spec.activation(), spec.outputPadH(), spec.outputPadW());
    Activation act = spec.activation();
    long h = NativeLib.c4j_conv_transpose2d_create(p, p.length, weight, weight.length, bias,
        bias == null ? 0 : bias.length, act.a(), act.b());
    if (h == 0) {
      throw new IllegalArgumentException(
          "native conv_transpose2d cannot prepare " + spec + ": " + NativeLib.c4j_last_error());
    }
    return new NativeSimplePlan(new int[] {spec.inChannels(), g.inH(), g.inW()},
        new int[] {spec.outChannels(), g.outH(), g.outW()}, new NativePlan(h, "conv_transpose2d"),
        NativeLib::c4j_conv_transpose2d_run);
  }

  @Override
  protected Plan preparePool2d(Pool2dGeometry g, int channels) {
    int[] p = new int[NativeLib.PP_COUNT];
    p[0] = g.kind().code; p[1] = channels; p[2] = g.inH(); p[3] = g.inW(); p[4] = g.kernelH(); p[5] = g.kernelW();
    p[6] = g.strideH(); p[7] = g.strideW(); p[8] = g.padTop(); p[9] = g.padLeft(); p[10] = g.padBottom();
    p[11] = g.padRight(); p[12] = g.dilationH(); p[13] = g.dilationW(); p[14] = g.ceilMode() ? 1 : 0;
    p[15] = g.countIncludePad() ? 1 : 0; p[16] = g.outH(); p[17] = g.outW();
    long h = NativeLib.c4j_pool2d_create(p, p.length);
    if (h == 0) throw new IllegalArgumentException("native pool2d cannot prepare " + g + ": " + NativeLib.c4j_last_error());
    return new NativeSimplePlan(new int[] {channels, g.inH(), g.inW()}, new int[] {channels, g.outH(), g.outW()},
        new NativePlan(h, "pool2d"), NativeLib::c4j_pool2d_run);
  }

  @Override
  protected Plan prepareLinear(LinearSpec spec, float[] weight, float[] bias) {
    Activation act = spec.activation();
    long h = NativeLib.c4j_linear_create(spec.inFeatures(), spec.outFeatures(), weight, weight.length, bias,
        bias == null ? 0 : bias.length, act.kind().code, act.a(), act.b());
    if (h == 0) throw new IllegalArgumentException("native linear cannot prepare " + spec + ": " + NativeLib.c4j_last_error());
    return new NativeSimplePlan(new int[] {spec.inFeatures()}, new int[] {spec.outFeatures()},
        new NativePlan(h, "linear"), NativeLib::c4j_linear_run);
  }

  @Override
  protected void doActivation(Activation act, float[] x, int xOff, float[] y, int yOff, int count) {
    NativePlan.check(NativeLib.c4j_activation(act.kind().code, act.a(), act.b(), x, x.length, xOff, y, y.length,
        yOff, count), "activation " + act);
  }

  @Override
  protected void doSoftmax(float[] x, int xOff, float[] y, int yOff, int outer, int dim, int inner, boolean log) {
    NativePlan.check(NativeLib.c4j_softmax(x, x.length, xOff, y, y.length, yOff, outer, dim, inner, log ? 1 : 0),
        log ? "log_softmax" : "softmax");
  }

  @Override
  protected void doAdd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int count) {
    NativePlan.check(NativeLib.c4j_add(a, a.length, aOff, b, b.length, bOff, y, y.length, yOff, count), "add");
  }
}
