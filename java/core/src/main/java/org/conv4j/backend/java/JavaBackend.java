package org.conv4j.backend.java;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;
import java.util.concurrent.RecursiveAction;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
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
 * The pure-Java backend: PyTorch semantics in plain Java, the reference the native kernels are tested against and
 * the fallback where they cannot load. Owns its threads: a fork/join pool of daemon threads, created on first use
 * and sized by {@link #setThreads}; kernels split their work over batch and output channels.
 */
public final class JavaBackend extends Backend {
  private static final JavaBackend INSTANCE = new JavaBackend();

  private volatile int threads = Runtime.getRuntime().availableProcessors();
  private ForkJoinPool pool; // guarded by this; null until a parallel run needs it or after setThreads

  private JavaBackend() {}

  public static JavaBackend instance() {
    return INSTANCE;
  }

  @Override
  public String name() {
    return "java";
  }

  @Override
  public int threads() {
    return threads;
  }

  @Override
  public void setThreads(int n) {
    checkThreads(n);
    synchronized (this) {
      if (n == threads) return;
      threads = n;
      if (pool != null) {
        pool.shutdown(); // runs already submitted still finish
        pool = null;
      }
    }
  }

  private synchronized ForkJoinPool pool() {
    if (pool == null) {
      pool = new ForkJoinPool(threads, Worker::new, null, false);
    }
    return pool;
  }

  /** A body run on the index range [lo, hi). */
  @FunctionalInterface
  interface RangeBody {
    void run(int lo, int hi);
  }

  /**
   * Runs body over [0, n) split into at most {@link #threads} contiguous chunks, in parallel on the backend's pool;
   * inline when one chunk suffices. Returns after every chunk finished; a chunk's exception is rethrown.
   */
  void parallelFor(int n, RangeBody body) {
    int chunks = Math.min(n, threads);
    if (chunks <= 1) {
      if (n > 0) body.run(0, n);
      return;
    }
    RecursiveAction[] tasks = new RecursiveAction[chunks];
    for (int c = 0; c < chunks; c++) {
      int lo = (int) ((long) n * c / chunks), hi = (int) ((long) n * (c + 1) / chunks);
      tasks[c] = new RecursiveAction() {
        @Override
        protected void compute() {
          body.run(lo, hi);
        }
      };
    }
    if (inOwnPool()) {
      RecursiveAction.invokeAll(tasks);
      return;
    }
    try {
      pool().invoke(new RecursiveAction() {
        @Override
        protected void compute() {
          invokeAll(tasks);
        }
      });
    } catch (RejectedExecutionException e) {
      // setThreads replaced the pool between pool() and invoke: run here instead
      body.run(0, n);
    }
  }

  /** The backend's pool threads: daemon, so an idle pool never keeps the JVM alive. */
  private static final class Worker extends ForkJoinWorkerThread {
    private static final AtomicInteger COUNT = new AtomicInteger();

    Worker(ForkJoinPool pool) {
      super(pool);
      setName("conv4j-java-" + COUNT.getAndIncrement()); // the pool index is not assigned yet here
      setDaemon(true);
    }
  }

  /** True on one of the backend's own threads, where a nested split forks into the same pool. */
  private static boolean inOwnPool() {
    return Thread.currentThread() instanceof Worker;
  }

  private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[5][0]);

  /**
   * The calling thread's grow-only work buffer number slot (0-4) with at least n floats, contents undefined:
   * runs allocate nothing once warm, and plans stay safe to run from several threads at once. The bodies of a
   * {@link #parallelFor} may run on the calling thread too, so they must not use a slot that the caller holds
   * across that call.
   */
  static float[] scratch(int slot, int n) {
    float[][] s = SCRATCH.get();
    if (s[slot].length < n) s[slot] = new float[n];
    return s[slot];
  }

  @Override
  protected Conv2dPlan prepareConv2d(
      Conv2dSpec spec, Conv2dGeometry g, float[] weight, float[] bias, Conv2dAlgorithm algorithm) {
    return new JavaConv2d(this, spec, g, weight, bias, algorithm);
  }

  @Override
  protected Plan prepareConvTranspose2d(
      ConvTranspose2dSpec spec, Conv2dGeometry g, float[] weight, float[] bias) {
    return new JavaConvTranspose2d(this, spec, g, weight, bias);
  }

  @Override
  protected Plan preparePool2d(Pool2dGeometry g, int channels) {
    return new JavaPool2d(this, g, channels);
  }

  @Override
  protected Plan prepareLinear(LinearSpec spec, float[] weight, float[] bias) {
    return new JavaLinear(this, spec, weight, bias);
  }

  @Override
  protected void doActivation(Activation act, float[] x, int xOff, float[] y, int yOff, int count) {
    JavaElementwise.activation(act, x, xOff, y, yOff, count);
  }

  @Override
  protected void doSoftmax(float[] x, int xOff, float[] y, int yOff, int outer, int dim, int inner, boolean log) {
    JavaElementwise.softmax(x, xOff, y, yOff, outer, dim, inner, log);
  }

  @Override
  protected void doAdd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int count) {
    JavaElementwise.add(a, aOff, b, bOff, y, yOff, count);
  }
}
