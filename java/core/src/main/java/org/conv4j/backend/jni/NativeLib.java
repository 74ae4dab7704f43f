package org.conv4j.backend.jni;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.CriticalRegion;
import org.bytedeco.javacpp.annotation.NoException;
import org.bytedeco.javacpp.annotation.Platform;
import org.bytedeco.javacpp.annotation.Properties;

/**
 * JavaCPP binding of native/include/conv4j.h, one method per C function. Package-private use only: callers go
 * through {@link NativeBackend}, which validates every argument in Java first. Run methods pin the Java arrays
 * ({@code @CriticalRegion}) instead of copying them; they must not block for long, and they do not.
 */
@Properties(
    inherit = org.bytedeco.openblas.presets.openblas_nolapack.class,
    value = @Platform(include = "conv4j.h", link = "conv4j"))
@NoException
final class NativeLib {
  private NativeLib() {}

  /** Loads the JNI library; throws (UnsatisfiedLinkError and friends) when it cannot. */
  static void load() {
    Loader.load();
  }

  // status codes and constants mirrored from conv4j.h
  static final int OK = 0, ERR_ARG = -1, ERR_UNSUPPORTED = -2, ERR_NOMEM = -3, ERR_ISA = -4, ERR_HANDLE = -5;
  static final int CP_COUNT = 19, PP_COUNT = 18;

  static native int c4j_cpu_has_avx2_fma();

  static native @Cast("const char*") String c4j_cpu_brand();

  static native @Cast("const char*") String c4j_version();

  static native @Cast("const char*") String c4j_last_error();

  static native void c4j_set_num_threads(int n);

  static native int c4j_get_num_threads();

  static native void c4j_plan_destroy(long plan);

  /** Test hook: parallel_for coverage sweeps from concurrent callers (see conv4j.h). */
  static native int c4j_thread_pool_selftest(long maxN, int callers, int rounds, long unitCost, int nested);

  /** Test hook: a caller that finds the pool busy runs inline (see conv4j.h). */
  static native int c4j_thread_pool_selftest_busy(long n);

  /** Test hook: the page arena's contract (see conv4j.h). */
  static native int c4j_page_arena_selftest();

  /** Test hook: bytes the page arena holds from the system (0) or has handed out (1). */
  static native long c4j_page_arena_bytes(int which);

  static native long c4j_conv2d_create(
      @Cast("const int32_t*") int[] params, int nparams,
      @Cast("const float*") float[] weight, long weightLen,
      @Cast("const float*") float[] bias, long biasLen,
      float actA, float actB, int algo);

  static native int c4j_conv2d_algo(long plan);

  static native int c4j_conv2d_algo_for_batch(long plan, int batch);

  @CriticalRegion
  static native int c4j_conv2d_run(
      long plan, int batch,
      @Cast("const float*") float[] x, long xLen, long xOff,
      float[] y, long yLen, long yOff,
      @Cast("const float*") float[] residual, long rLen, long rOff);

  static native long c4j_conv_transpose2d_create(
      @Cast("const int32_t*") int[] params, int nparams,
      @Cast("const float*") float[] weight, long weightLen,
      @Cast("const float*") float[] bias, long biasLen,
      float actA, float actB);

  @CriticalRegion
  static native int c4j_conv_transpose2d_run(
      long plan, int batch,
      @Cast("const float*") float[] x, long xLen, long xOff,
      float[] y, long yLen, long yOff);

  static native long c4j_pool2d_create(@Cast("const int32_t*") int[] params, int nparams);

  @CriticalRegion
  static native int c4j_pool2d_run(
      long plan, int batch,
      @Cast("const float*") float[] x, long xLen, long xOff,
      float[] y, long yLen, long yOff);

  static native long c4j_linear_create(
      int inFeatures, int outFeatures,
      @Cast("const float*") float[] weight, long weightLen,
      @Cast("const float*") float[] bias, long biasLen,
      int act, float actA, float actB);

  @CriticalRegion
  static native int c4j_linear_run(
      long plan, int batch,
      @Cast("const float*") float[] x, long xLen, long xOff,
      float[] y, long yLen, long yOff);

  @CriticalRegion
  static native int c4j_activation(
      int act, float actA, float actB,
      @Cast("const float*") float[] x, long xLen, long xOff,
      float[] y, long yLen, long yOff, long count);

  @CriticalRegion
  static native int c4j_softmax(
      @Cast("const float*") float[] x, long xLen, long xOff,
      float[] y, long yLen, long yOff,
      long outer, long dim, long inner, int log);

  @CriticalRegion
  static native int c4j_add(
      @Cast("const float*") float[] a, long aLen, long aOff,
      @Cast("const float*") float[] b, long bLen, long bOff,
      float[] y, long yLen, long yOff, long count);
}
