package org.conv4j.bench;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
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
import org.conv4j.spec.Pool2dSpec;

/**
 * A backend that delegates every kernel to another one and adds up the time each prepared plan (and each
 * elementwise call) takes, keyed by what it computes: a per-layer profile of a {@link org.conv4j.graph.PreparedModel}
 * without touching the graph code. Graph steps that do not go through the backend (batch-norm without a conv,
 * concat, pad, transpose, broadcast) are not seen: they are the whole run minus the sum of these.
 */
final class ProfilingBackend extends Backend {
  /** Time and call count of one key. */
  static final class Tally {
    final LongAdder nanos = new LongAdder();
    final LongAdder calls = new LongAdder();
  }

  private final Backend inner;
  private final Map<String, Tally> tallies = new ConcurrentHashMap<>();

  ProfilingBackend(Backend inner) {
    this.inner = inner;
  }

  /** The tallies so far, by key. */
  Map<String, Tally> tallies() {
    return tallies;
  }

  void reset() {
    tallies.clear();
  }

  private void add(String key, long nanos) {
    Tally t = tallies.computeIfAbsent(key, k -> new Tally());
    t.nanos.add(nanos);
    t.calls.increment();
  }

  /** The key of a conv plan: op, algorithm, input [C,H,W], weight [O,I/g,kh,kw] and output [C,H,W] per image. */
  static String convKey(String op, String algorithm, int[] in, int[] weight, int[] out) {
    return op + " " + algorithm + " in " + Arrays.toString(in) + " w " + Arrays.toString(weight) + " out "
        + Arrays.toString(out);
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public int threads() {
    return inner.threads();
  }

  @Override
  public void setThreads(int n) {
    inner.setThreads(n);
  }

  @Override
  protected Conv2dPlan prepareConv2d(
      Conv2dSpec spec, Conv2dGeometry g, float[] weight, float[] bias, Conv2dAlgorithm algorithm) {
    Conv2dPlan p = inner.conv2d(spec, g.inH(), g.inW(), weight, bias, algorithm);
    int[] w = {spec.outChannels(), spec.inChannels() / spec.groups(), spec.kernelH(), spec.kernelW()};
    // keyed by the algorithm the run's batch uses (an AUTO plan may switch with the batch)
    Map<Integer, String> keys = new ConcurrentHashMap<>();
    return new Conv2dPlan(spec, g) {
      @Override
      public Conv2dAlgorithm algorithm() {
        return p.algorithm();
      }

      @Override
      public Conv2dAlgorithm algorithm(int batch) {
        return p.algorithm(batch);
      }

      @Override
      protected void execute(float[] x, int xOff, float[] y, int yOff, int batch, float[] residual, int rOff) {
        String key = keys.computeIfAbsent(batch,
            b -> convKey("Conv", p.algorithm(b).name(), p.inputShape(), w, p.outputShape()));
        long t0 = System.nanoTime();
        p.run(x, xOff, y, yOff, batch, residual, rOff);
        add(key, System.nanoTime() - t0);
      }

      @Override
      public void close() {
        p.close();
      }
    };
  }

  @Override
  protected Plan prepareConvTranspose2d(ConvTranspose2dSpec spec, Conv2dGeometry g, float[] weight, float[] bias) {
    Plan p = inner.convTranspose2d(spec, g.inH(), g.inW(), weight, bias);
    return timed(p, convKey("ConvTranspose", "", p.inputShape(), new int[] {spec.inChannels(),
        spec.outChannels() / spec.groups(), spec.kernelH(), spec.kernelW()}, p.outputShape()));
  }

  @Override
  protected Plan preparePool2d(Pool2dGeometry g, int channels) {
    Plan p = inner.pool2d(spec(g), channels, g.inH(), g.inW());
    return timed(p, String.format(Locale.ROOT, "Pool %s %dx%d s%d in %s out %s", g.kind(), g.kernelH(),
        g.kernelW(), g.strideH(), Arrays.toString(p.inputShape()), Arrays.toString(p.outputShape())));
  }

  /** The spec a geometry was made from (a geometry carries every field of its spec). */
  static Pool2dSpec spec(Pool2dGeometry g) {
    switch (g.kind()) {
      case ADAPTIVE_AVG:
        return Pool2dSpec.adaptiveAvg(g.outH(), g.outW());
      case MAX:
        return Pool2dSpec.max(g.kernelH(), g.kernelW()).stride(g.strideH(), g.strideW())
            .padding(g.padTop(), g.padLeft(), g.padBottom(), g.padRight()).dilation(g.dilationH(), g.dilationW())
            .ceilMode(g.ceilMode()).build();
      case AVG:
        return Pool2dSpec.avg(g.kernelH(), g.kernelW()).stride(g.strideH(), g.strideW())
            .padding(g.padTop(), g.padLeft(), g.padBottom(), g.padRight()).ceilMode(g.ceilMode())
            .countIncludePad(g.countIncludePad()).build();
      default:
        throw new IllegalArgumentException("pool geometry kind must be MAX, AVG or ADAPTIVE_AVG, got " + g.kind());
    }
  }

  @Override
  protected Plan prepareLinear(LinearSpec spec, float[] weight, float[] bias) {
    Plan p = inner.linear(spec, weight, bias);
    return timed(p, "Linear " + spec.inFeatures() + "->" + spec.outFeatures());
  }

  private Plan timed(Plan p, String key) {
    return new Plan(p.inputShape(), p.outputShape()) {
      @Override
      protected void execute(float[] x, int xOff, float[] y, int yOff, int batch) {
        long t0 = System.nanoTime();
        p.run(x, xOff, y, yOff, batch);
        add(key, System.nanoTime() - t0);
      }

      @Override
      public void close() {
        p.close();
      }
    };
  }

  @Override
  protected void doActivation(Activation act, float[] x, int xOff, float[] y, int yOff, int count) {
    long t0 = System.nanoTime();
    inner.activation(act, x, xOff, y, yOff, count);
    add("Activation " + act.kind(), System.nanoTime() - t0);
  }

  @Override
  protected void doSoftmax(float[] x, int xOff, float[] y, int yOff, int outer, int dim, int inner, boolean log) {
    long t0 = System.nanoTime();
    this.inner.softmax(x, xOff, y, yOff, outer, dim, inner, log);
    add("Softmax", System.nanoTime() - t0);
  }

  @Override
  protected void doAdd(float[] a, int aOff, float[] b, int bOff, float[] y, int yOff, int count) {
    long t0 = System.nanoTime();
    inner.add(a, aOff, b, bOff, y, yOff, count);
    add("Add", System.nanoTime() - t0);
  }
}
