package org.conv4j.golden;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.backend.BackendKind;
import org.conv4j.backend.Backends;
import org.conv4j.backend.Conv2dAlgorithm;
import org.conv4j.backend.Conv2dPlan;
import org.conv4j.backend.Plan;
import org.conv4j.backend.jni.NativeBackend;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dGeometry;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.conv4j.spec.LinearSpec;
import org.conv4j.spec.Pool2dSpec;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every kernel of both backends against PyTorch's outputs (fixtures by src/test/python/gen_kernel_fixtures.py).
 * conv2d runs under AUTO and each forced algorithm; the specialised native ones (1x1 GEMM, depthwise, Winograd)
 * may refuse a configuration they do not cover, which skips that run. Inputs and outputs sit inside larger
 * arrays at an offset, between guard values, so a kernel that reads outside its input (NaN guards), writes
 * outside its output, leaves an output unwritten (sentinel fill) or modifies its input fails. Error cases assert
 * the IllegalArgumentException PyTorch's own rejection corresponds to.
 */
class KernelGoldenTest {
  private static final int GUARD = 5;
  private static final float SENTINEL = -7.77e7f;
  private static final List<Conv2dAlgorithm> JAVA_CONV =
      List.of(Conv2dAlgorithm.AUTO, Conv2dAlgorithm.DIRECT, Conv2dAlgorithm.IM2COL_GEMM, Conv2dAlgorithm.DEPTHWISE);
  /** Algorithms that only cover some configurations and refuse the others at prepare time. */
  private static final List<Conv2dAlgorithm> SPECIALISED =
      List.of(Conv2dAlgorithm.GEMM_1X1, Conv2dAlgorithm.DEPTHWISE, Conv2dAlgorithm.WINOGRAD,
          Conv2dAlgorithm.WINOGRAD_2X2);

  @TestFactory
  Stream<DynamicContainer> everyKernelMatchesPyTorch() {
    return GoldenCase.all().stream().map(c -> dynamicContainer(c.name(), c.dir().toUri(), runs(c)));
  }

  private static Stream<DynamicTest> runs(GoldenCase c) {
    List<DynamicTest> tests = new ArrayList<>();
    for (BackendKind kind : List.of(BackendKind.JAVA, BackendKind.NATIVE)) {
      List<Conv2dAlgorithm> algos = !c.op().equals("conv2d") || c.expectError() ? List.of(Conv2dAlgorithm.AUTO)
          : kind == BackendKind.JAVA ? JAVA_CONV : List.of(Conv2dAlgorithm.values());
      for (Conv2dAlgorithm algo : algos) {
        String label = kind.name().toLowerCase(Locale.ROOT) + (c.op().equals("conv2d") ? " " + algo : "");
        tests.add(dynamicTest(label, () -> check(c, backend(kind), algo)));
      }
    }
    return tests.stream();
  }

  private static Backend backend(BackendKind kind) {
    if (kind == BackendKind.NATIVE) {
      String why = NativeBackend.unavailableReason();
      assumeTrue(why == null, () -> "native backend unavailable: " + why);
    }
    return Backends.get(kind);
  }

  private static void check(GoldenCase c, Backend backend, Conv2dAlgorithm algo) {
    if (c.expectError()) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> prepareRejected(c, backend), () -> c + " (PyTorch: "
              + c.str("torch_error") + ")");
      String msg = e.getMessage().toLowerCase(Locale.ROOT);
      for (String word : c.str("error_mentions").split(",")) {
        assertTrue(msg.contains(word.toLowerCase(Locale.ROOT)),
            () -> c.name() + ": message should mention \"" + word + "\": " + e.getMessage());
      }
      return;
    }
    Tensor x = c.tensor("x");
    assertArrayEquals(c.inputShape(), x.shape(), c.name() + ": x.npy shape");
    Tensor y = c.tensor("y");
    Guarded in = Guarded.input(x.data());
    Guarded out = Guarded.output(y.numel());
    Guarded other = c.has("r") ? Guarded.input(c.tensor("r").data()) : null;
    GoldenTolerance tol = run(c, backend, algo, x, y, in, out, other);
    String where = c + " on " + backend.name() + (c.op().equals("conv2d") ? " " + algo : "");
    in.assertUnchanged(where + ": input");
    if (other != null) other.assertUnchanged(where + ": second operand");
    out.assertGuardsIntact(where);
    compare(where, y, out.payload(), tol);
  }

  /** Runs the case's op with x in `in`, writing `out`; returns the tolerance for its outputs. */
  private static GoldenTolerance run(GoldenCase c, Backend backend, Conv2dAlgorithm algo, Tensor x, Tensor y,
      Guarded in, Guarded out, Guarded other) {
    int[] s = x.shape();
    int n = s[0];
    switch (c.op()) {
      case "conv2d": {
        Conv2dSpec spec = GoldenSpecs.conv2d(c);
        Conv2dPlan plan = prepareConv(c, backend, algo, spec, s);
        Conv2dAlgorithm ran = plan.algorithm(n);
        boolean winograd = ran == Conv2dAlgorithm.WINOGRAD || ran == Conv2dAlgorithm.WINOGRAD_2X2;
        try (plan) {
          Conv2dGeometry g = plan.geometry();
          assertArrayEquals(c.ints("pads"), new int[] {g.padTop(), g.padLeft(), g.padBottom(), g.padRight()},
              c.name() + ": resolved padding t,l,b,r");
          assertPlanShape(c, plan, y);
          plan.run(in.array, GUARD, out.array, GUARD, n, other == null ? null : other.array, GUARD);
        }
        long terms = (long) spec.inChannels() / spec.groups() * spec.kernelH() * spec.kernelW() + 2;
        GoldenTolerance direct = GoldenTolerance.dot(terms, c.dbl("abs_scale"), spec.activation());
        return winograd ? direct.forWinograd() : direct;
      }
      case "conv_transpose2d": {
        ConvTranspose2dSpec spec = GoldenSpecs.convTranspose2d(c);
        try (Plan plan = backend.convTranspose2d(spec, s[2], s[3], c.tensor("w").data(), c.dataOrNull("b"))) {
          runPlan(c, plan, y, in, out, n);
        }
        long terms = (long) spec.inChannels() / spec.groups() * spec.kernelH() * spec.kernelW() + 1;
        return GoldenTolerance.dot(terms, c.dbl("abs_scale"), spec.activation());
      }
      case "linear": {
        LinearSpec spec = GoldenSpecs.linear(c);
        try (Plan plan = backend.linear(spec, c.tensor("w").data(), c.dataOrNull("b"))) {
          runPlan(c, plan, y, in, out, n);
        }
        return GoldenTolerance.dot(spec.inFeatures() + 1L, c.dbl("abs_scale"), spec.activation());
      }
      case "max_pool2d":
      case "global_max_pool2d":
      case "avg_pool2d":
      case "adaptive_avg_pool2d": {
        Pool2dSpec spec = GoldenSpecs.pool2d(c);
        try (Plan plan = backend.pool2d(spec, s[1], s[2], s[3])) {
          runPlan(c, plan, y, in, out, n);
        }
        return poolTolerance(spec, s, maxAbs(x.data()));
      }
      case "activation": {
        Activation act = GoldenSpecs.activation(c);
        backend.activation(act, in.array, GUARD, out.array, GUARD, x.numel());
        float[] inPlace = x.data().clone();
        backend.activation(act, inPlace, 0, inPlace, 0, inPlace.length);
        assertArrayEquals(out.payload(), inPlace, c.name() + ": in place differs from out of place");
        return GoldenTolerance.activation(act);
      }
      case "softmax":
      case "log_softmax": {
        int dim = Math.floorMod(c.integer("dim"), s.length);
        int outer = (int) Tensor.numel(Arrays.copyOfRange(s, 0, dim));
        int inner = (int) Tensor.numel(Arrays.copyOfRange(s, dim + 1, s.length));
        boolean log = c.op().equals("log_softmax");
        backend.softmax(in.array, GUARD, out.array, GUARD, outer, s[dim], inner, log);
        return log ? GoldenTolerance.logSoftmax(s[dim]) : GoldenTolerance.softmax(s[dim]);
      }
      case "add": {
        backend.add(in.array, GUARD, other.array, GUARD, out.array, GUARD, x.numel());
        float[] inPlace = x.data().clone();
        backend.add(inPlace, 0, c.tensor("r").data(), 0, inPlace, 0, inPlace.length);
        assertArrayEquals(out.payload(), inPlace, c.name() + ": in place differs from out of place");
        return GoldenTolerance.EXACT;
      }
      default:
        throw new IllegalStateException(c.name() + ": unknown op " + c.op());
    }
  }

  /** Prepares a conv2d; a specialised algorithm refusing the configuration skips the run, any other fails. */
  private static Conv2dPlan prepareConv(GoldenCase c, Backend backend, Conv2dAlgorithm algo, Conv2dSpec spec,
      int[] s) {
    Conv2dPlan plan;
    try {
      plan = backend.conv2d(spec, s[2], s[3], c.tensor("w").data(), c.dataOrNull("b"), algo);
    } catch (IllegalArgumentException e) {
      if (!SPECIALISED.contains(algo)) throw e;
      plan = Assumptions.abort(backend.name() + " " + algo + " does not cover " + spec + ": " + e.getMessage());
    }
    if (algo != Conv2dAlgorithm.AUTO) {
      assertEquals(algo, plan.algorithm(), c.name() + ": plan runs another algorithm than the forced one");
    }
    return plan;
  }

  private static void runPlan(GoldenCase c, Plan plan, Tensor y, Guarded in, Guarded out, int n) {
    assertPlanShape(c, plan, y);
    plan.run(in.array, GUARD, out.array, GUARD, n);
  }

  private static void assertPlanShape(GoldenCase c, Plan plan, Tensor y) {
    int[] ys = y.shape();
    assertArrayEquals(Arrays.copyOfRange(ys, 1, ys.length), plan.outputShape(), c.name() + ": output shape");
  }

  private static GoldenTolerance poolTolerance(Pool2dSpec spec, int[] s, double maxAbs) {
    switch (spec.kind()) {
      case MAX:
      case GLOBAL_MAX:
        return GoldenTolerance.EXACT;
      case AVG:
        return GoldenTolerance.average((long) spec.kernelH() * spec.kernelW(), maxAbs);
      default: // adaptive windows span at most ceil(in/out) + 1 rows and columns
        long rows = (s[2] + spec.outputH() - 1) / spec.outputH() + 1;
        long cols = (s[3] + spec.outputW() - 1) / spec.outputW() + 1;
        return GoldenTolerance.average(rows * cols, maxAbs);
    }
  }

  /** Builds the spec and prepares the plan of an error case (zero weights of the spec's size). */
  private static void prepareRejected(GoldenCase c, Backend backend) {
    int[] s = c.inputShape();
    switch (c.op()) {
      case "conv2d": {
        Conv2dSpec spec = GoldenSpecs.conv2d(c);
        backend.conv2d(spec, s[2], s[3], new float[(int) spec.weightSize()],
            spec.hasBias() ? new float[spec.outChannels()] : null).close();
        break;
      }
      case "conv_transpose2d": {
        ConvTranspose2dSpec spec = GoldenSpecs.convTranspose2d(c);
        backend.convTranspose2d(spec, s[2], s[3], new float[(int) spec.weightSize()],
            spec.hasBias() ? new float[spec.outChannels()] : null).close();
        break;
      }
      default:
        backend.pool2d(GoldenSpecs.pool2d(c), s[1], s[2], s[3]).close();
    }
  }

  private static void compare(String where, Tensor expected, float[] actual, GoldenTolerance tol) {
    float[] e = expected.data();
    int bad = 0, worst = -1;
    double worstRatio = 0;
    for (int i = 0; i < e.length; i++) {
      double err = Math.abs((double) actual[i] - e[i]);
      double t = tol.at(e[i]);
      if (!(err <= t)) { // NaN fails too
        bad++;
        double ratio = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err / Math.max(t, Double.MIN_VALUE);
        if (worst < 0 || ratio > worstRatio) {
          worst = i;
          worstRatio = ratio;
        }
      }
    }
    if (bad > 0) {
      fail(String.format("%s: %d of %d outputs outside tolerance %s; worst at %s: expected %s, got %s (tol %.3g)",
          where, bad, e.length, tol, Arrays.toString(index(expected.shape(), worst)), e[worst], actual[worst],
          tol.at(e[worst])));
    }
  }

  private static double maxAbs(float[] a) {
    double m = 0;
    for (float v : a) m = Math.max(m, Math.abs(v));
    return m;
  }

  private static int[] index(int[] shape, int flat) {
    int[] idx = new int[shape.length];
    for (int d = shape.length - 1; d >= 0; d--) {
      idx[d] = flat % shape[d];
      flat /= shape[d];
    }
    return idx;
  }

  /** A payload between GUARD guard values on each side, in an array a kernel gets with offset GUARD. */
  private static final class Guarded {
    final float[] array;
    final float[] original;
    final int length;

    /** fill everywhere, then the payload (if any) at offset GUARD. */
    Guarded(int length, float fill, float[] payload) {
      this.length = length;
      array = new float[length + 2 * GUARD];
      Arrays.fill(array, fill);
      if (payload != null) System.arraycopy(payload, 0, array, GUARD, length);
      original = array.clone();
    }

    static Guarded input(float[] payload) {
      return new Guarded(payload.length, Float.NaN, payload);
    }

    static Guarded output(int length) {
      return new Guarded(length, SENTINEL, null);
    }

    float[] payload() {
      return Arrays.copyOfRange(array, GUARD, GUARD + length);
    }

    void assertUnchanged(String what) {
      for (int i = 0; i < array.length; i++) {
        if (Float.floatToRawIntBits(array[i]) != Float.floatToRawIntBits(original[i])) {
          fail(what + " was modified at array index " + i + " (payload starts at " + GUARD + ")");
        }
      }
    }

    void assertGuardsIntact(String where) {
      for (int i = 0; i < GUARD; i++) {
        int j = GUARD + length + i;
        if (array[i] != SENTINEL || array[j] != SENTINEL) {
          fail(where + ": wrote outside its output span (index " + (array[i] != SENTINEL ? i : j) + ")");
        }
      }
    }
  }
}
