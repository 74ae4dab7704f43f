package org.conv4j.onnx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.conv4j.graph.Value;
import org.conv4j.onnx.GraphConverter.Dyn;
import org.conv4j.onnx.proto.OnnxProto.NodeProto;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dGeometry;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.conv4j.spec.LinearSpec;
import org.conv4j.spec.PaddingMode;
import org.conv4j.spec.Pool2dGeometry;
import org.conv4j.spec.Pool2dSpec;

/**
 * Maps one ONNX node to graph ops, or folds it when its inputs are constants. Inputs are {@link ConstTensor}s,
 * {@link Dyn}s (run-time values with tracked dimensions) or {@link PendingPad}s; the result holds one entry per
 * node output (null for outputs nothing reads). Semantics follow the ONNX operator docs for the model's opset, with
 * the version differences the exporters write: Softmax/LogSoftmax coerce to 2-D before opset 13, Pad/Clip/Dropout/
 * Slice/Squeeze/Unsqueeze moved attributes to inputs (opsets 10-13), Pad gained axes (18) and wrap (19).
 */
final class OpMapper {
  /**
   * A Pad whose only reader is a Conv: held back so that the conv takes it as its own padding (reflect/edge/wrap
   * become the conv's padding mode, zeros add to its pads). Materialized as a pad op when the conv cannot.
   */
  record PendingPad(NodeProto node, Dyn x, PaddingMode mode, long[] pads) {}

  private final GraphConverter c;
  private final int opset;

  OpMapper(GraphConverter c) {
    this.c = c;
    this.opset = c.model.opset();
  }

  Object[] map(NodeProto n, Attributes a, Object[] in) {
    String op = n.getOpType();
    if (op.equals("Shape")) return one(shape(a, in[0]));
    if (ConstantFolder.OPS.contains(op) && allConstant(in)) {
      return one(ConstantFolder.fold(op, a, constants(in), opset));
    }
    if (!op.equals("Conv")) {
      for (int k = 0; k < in.length; k++) if (in[k] instanceof PendingPad p) in[k] = materialize(p);
    }
    switch (op) {
      case "Conv": return one(conv(n, a, in));
      case "ConvTranspose": return one(convTranspose(n, a, in));
      case "MaxPool":
        noSecondOutput(n, "Indices");
        return one(pool(n, a, dyn(in[0], "X"), true));
      case "AveragePool": return one(pool(n, a, dyn(in[0], "X"), false));
      case "GlobalAveragePool":
      case "GlobalMaxPool": {
        Dyn x = rank(dyn(in[0], "X"), 4);
        Value v = c.named(n, "").pool2d(x.value(), op.equals("GlobalMaxPool") ? Pool2dSpec.globalMax()
            : Pool2dSpec.globalAvg());
        return one(new Dyn(v, new long[] {x.dims()[0], x.dims()[1], 1, 1}, x.batch0()));
      }
      case "Gemm": return one(gemm(n, a, in));
      case "MatMul": return one(matMul(n, in));
      case "Relu": return one(activation(n, in, Activation.RELU));
      case "Sigmoid": return one(activation(n, in, Activation.SIGMOID));
      case "Tanh": return one(activation(n, in, Activation.TANH));
      case "LeakyRelu": return one(activation(n, in, Activation.leakyRelu(a.f("alpha", 0.01f))));
      case "Clip": return one(activation(n, in, clip(a, in)));
      case "Softmax":
      case "LogSoftmax":
        return one(softmax(n, a, dyn(in[0], "input"), op.equals("LogSoftmax")));
      case "Flatten": return one(flatten(n, a, dyn(in[0], "input")));
      case "Reshape": return one(reshape(n, a, dyn(in[0], "data"), constant(in[1], "shape")));
      case "Squeeze":
      case "Unsqueeze":
        return one(squeeze(n, a, in, op.equals("Unsqueeze")));
      case "Transpose": return one(transpose(n, a, dyn(in[0], "data")));
      case "Slice": return one(slice(n, a, in));
      case "Pad": return one(pad(n, a, in));
      case "Concat": return one(concat(n, a, in));
      case "Add":
      case "Sub":
      case "Mul":
      case "Div":
        return one(binary(n, op, in[0], in[1]));
      case "BatchNormalization": return one(batchNorm(n, a, in));
      case "Dropout": return one(dropout(n, in));
      case "Identity": return one(dyn(in[0], "input"));
      case "Cast": {
        DataType to = ConstantFolder.castTarget(a);
        if (to != DataType.FLOAT) {
          throw new IllegalArgumentException("Cast of the float32 run-time data to " + to + " is not supported");
        }
        return one(dyn(in[0], "input"));
      }
      default: // Gather, ConstantOfShape with run-time inputs
        throw new IllegalArgumentException(op + " is supported only on constant inputs (it is folded at load time),"
            + " but its input is computed from the model input");
    }
  }

  private static Object[] one(Object v) {
    return new Object[] {v};
  }

  private static boolean allConstant(Object[] in) {
    for (Object o : in) if (o != null && !(o instanceof ConstTensor)) return false;
    return true;
  }

  private static ConstTensor[] constants(Object[] in) {
    ConstTensor[] t = new ConstTensor[in.length];
    for (int k = 0; k < in.length; k++) t[k] = (ConstTensor) in[k];
    return t;
  }

  private static Dyn dyn(Object v, String what) {
    if (v instanceof Dyn d) return d;
    if (v == null) throw new IllegalArgumentException("input " + what + " is missing");
    throw new IllegalArgumentException("input " + what + " is a constant; conv4j runs this op only on data computed"
        + " from the model input");
  }

  static ConstTensor constant(Object v, String what) {
    if (v instanceof ConstTensor t) return t;
    if (v == null) throw new IllegalArgumentException("input " + what + " is missing");
    throw new IllegalArgumentException("input " + what + " must be a constant (an initializer or a value folded at"
        + " load time) but is computed from the model input");
  }

  private static Dyn rank(Dyn x, int r) {
    if (x.rank() != r) {
      throw new IllegalArgumentException("needs a rank-" + r + " input, got dimensions " + Arrays.toString(x.dims()));
    }
    return x;
  }

  private void noSecondOutput(NodeProto n, String what) {
    for (int k = 1; k < n.getOutputCount(); k++) {
      if (!n.getOutput(k).isEmpty() && c.uses(n.getOutput(k)) > 0) {
        throw new IllegalArgumentException("its " + what + " output (" + n.getOutput(k) + ") is not supported");
      }
    }
  }

  private static int toInt(long v, String name) {
    return ConvAttributes.toInt(v, name);
  }

  private static long known(long a, long b) {
    return a < 0 || b < 0 ? -1 : a * b;
  }

  // ------------------------------------------------------------------------------------------------ windows

  private Dyn conv(NodeProto n, Attributes a, Object[] in) {
    ConstTensor w = weights2d(in);
    float[] bias = in.length > 2 && in[2] != null ? constant(in[2], "B").floats("B") : null;
    int group = toInt(a.i("group", 1), "group");
    ConvAttributes ca = new ConvAttributes(a, new int[] {w.dim(2), w.dim(3)});
    PaddingMode mode = PaddingMode.ZEROS;
    Dyn x;
    int[] p;
    if (in[0] instanceof PendingPad pp && canAbsorb(pp, ca)) {
      x = rank(pp.x(), 4);
      p = ca.pads(-1, -1);
      long[] q = pp.pads();
      p = new int[] {p[0] + (int) q[2], p[1] + (int) q[3], p[2] + (int) q[6], p[3] + (int) q[7]};
      mode = pp.mode();
    } else {
      x = rank(in[0] instanceof PendingPad pp ? materialize(pp) : dyn(in[0], "X"), 4);
      p = ca.pads(x.dims()[2], x.dims()[3]);
    }
    Conv2dSpec spec = Conv2dSpec.builder(w.dim(1) * group, w.dim(0), w.dim(2), w.dim(3)).stride(ca.sh, ca.sw)
        .padding(p[0], p[1], p[2], p[3]).dilation(ca.dh, ca.dw).groups(group).bias(bias != null).paddingMode(mode)
        .build();
    Value v = c.named(n, "").conv2d(x.value(), spec, w.floats("W"), bias);
    return imageOut(v, x, w.dim(0), x.dims()[2] < 0 || x.dims()[3] < 0 ? null
        : spec.geometry((int) x.dims()[2], (int) x.dims()[3]));
  }

  /** The constant 4-D weight of a 2-D (transposed) convolution. */
  private static ConstTensor weights2d(Object[] in) {
    ConstTensor w = constant(in[1], "W");
    if (w.rank() != 4) {
      throw new IllegalArgumentException("W has shape " + Arrays.toString(w.shape())
          + "; only 2-D convolutions (4-D weights) are supported");
    }
    return w;
  }

  /** An NCHW result with the given channels and the geometry's size (unknown when g is null). */
  private static Dyn imageOut(Value v, Dyn x, long channels, Conv2dGeometry g) {
    return new Dyn(v, new long[] {x.dims()[0], channels, g == null ? -1 : g.outH(), g == null ? -1 : g.outW()},
        x.batch0());
  }

  /** A conv absorbs a held-back pad when its own padding is explicit and, unless the pad is zeros, zero. */
  private static boolean canAbsorb(PendingPad pp, ConvAttributes ca) {
    if (ca.autoPad.startsWith("SAME")) return false;
    if (pp.mode() == PaddingMode.ZEROS) return true;
    int[] own = ca.pads(-1, -1);
    return own[0] == 0 && own[1] == 0 && own[2] == 0 && own[3] == 0;
  }

  private Dyn materialize(PendingPad p) {
    return padOp(p.node(), "", p.x(), p.mode() == PaddingMode.ZEROS ? null : p.mode(), 0f, p.pads());
  }

  private Dyn convTranspose(NodeProto n, Attributes a, Object[] in) {
    Dyn x = rank(dyn(in[0], "X"), 4);
    ConstTensor w = weights2d(in);
    float[] bias = in.length > 2 && in[2] != null ? constant(in[2], "B").floats("B") : null;
    int group = toInt(a.i("group", 1), "group");
    ConvAttributes ca = new ConvAttributes(a, new int[] {w.dim(2), w.dim(3)});
    long[] op = a.ints("output_padding", new long[2]);
    long[] os = a.ints("output_shape", null);
    if (op.length != 2) throw new IllegalArgumentException("output_padding must have 2 entries (2-D)");
    int[] p;
    if (os != null || ca.autoPad.startsWith("SAME")) {
      // total padding that gives the requested output: stride*(in-1) + output_padding + (k-1)*dilation + 1 - out
      p = new int[4];
      int[] k = {ca.kh, ca.kw}, s = {ca.sh, ca.sw}, d = {ca.dh, ca.dw};
      for (int i = 0; i < 2; i++) {
        long inDim = x.dims()[2 + i];
        if (inDim < 0) {
          throw new ShapeNeededException("output_shape / auto_pad needs the input size, which the model leaves symbolic");
        }
        long out = os != null ? os[os.length - 2 + i] : inDim * s[i];
        long total = s[i] * (inDim - 1) + op[i] + (long) (k[i] - 1) * d[i] + 1 - out;
        if (total < 0) {
          throw new IllegalArgumentException("output_shape " + Arrays.toString(os) + " is larger than the input allows"
              + " (negative total padding " + total + ")");
        }
        boolean upper = ca.autoPad.equals("SAME_UPPER");
        p[i] = (int) (upper ? total / 2 : total - total / 2);
        p[i + 2] = (int) (upper ? total - total / 2 : total / 2);
      }
    } else {
      p = ca.pads(-1, -1);
    }
    int outC = w.dim(1) * group;
    ConvTranspose2dSpec spec = ConvTranspose2dSpec.builder(w.dim(0), outC, ca.kh, ca.kw).stride(ca.sh, ca.sw)
        .padding(p[0], p[1], p[2], p[3]).outputPadding(toInt(op[0], "output_padding"), toInt(op[1], "output_padding"))
        .dilation(ca.dh, ca.dw).groups(group).bias(bias != null).build();
    Value v = c.named(n, "").convTranspose2d(x.value(), spec, w.floats("W"), bias);
    return imageOut(v, x, outC, x.dims()[2] < 0 || x.dims()[3] < 0 ? null
        : spec.geometry((int) x.dims()[2], (int) x.dims()[3]));
  }

  private Dyn pool(NodeProto n, Attributes a, Dyn x, boolean max) {
    rank(x, 4);
    ConvAttributes ca = new ConvAttributes(a, null);
    int[] p = ca.pads(x.dims()[2], x.dims()[3]);
    boolean ceil = a.i("ceil_mode", 0) != 0;
    boolean countPad = a.i("count_include_pad", 0) != 0;
    if (!max && (ca.dh != 1 || ca.dw != 1)) {
      throw new IllegalArgumentException("AveragePool with dilations [" + ca.dh + ", " + ca.dw + "] is not supported");
    }
    if (Math.max(p[0], p[2]) > ca.kh / 2 || Math.max(p[1], p[3]) > ca.kw / 2) {
      // PyTorch's pooling limits pads to half the kernel; larger pads become an explicit pad (-inf for max,
      // zeros for an average that counts them), exact when no window is cut by ceil_mode
      if (ceil || !(max || countPad)) {
        throw new IllegalArgumentException("pads " + Arrays.toString(p) + " exceed half the kernel [" + ca.kh + ", "
            + ca.kw + "]; supported only without ceil_mode" + (max ? "" : " and with count_include_pad=1"));
      }
      x = padOp(n, "pad", x, null, max ? Float.NEGATIVE_INFINITY : 0f, new long[] {0, 0, p[0], p[1], 0, 0, p[2], p[3]});
      p = new int[4];
    }
    Pool2dSpec.Builder b = max ? Pool2dSpec.max(ca.kh, ca.kw).dilation(ca.dh, ca.dw)
        : Pool2dSpec.avg(ca.kh, ca.kw).countIncludePad(countPad);
    Pool2dSpec spec = b.stride(ca.sh, ca.sw).padding(p[0], p[1], p[2], p[3]).ceilMode(ceil).build();
    Value v = c.named(n, "").pool2d(x.value(), spec);
    long oh = -1, ow = -1;
    if (x.dims()[2] >= 0 && x.dims()[3] >= 0) {
      Pool2dGeometry g = spec.geometry((int) x.dims()[2], (int) x.dims()[3]);
      oh = g.outH();
      ow = g.outW();
    }
    return new Dyn(v, new long[] {x.dims()[0], x.dims()[1], oh, ow}, x.batch0());
  }

  // ------------------------------------------------------------------------------------------------ dense

  private Dyn gemm(NodeProto n, Attributes a, Object[] in) {
    Dyn x = rank(dyn(in[0], "A"), 2);
    ConstTensor bt = constant(in[1], "B");
    if (bt.rank() != 2) throw new IllegalArgumentException("B must be 2-D, got " + Arrays.toString(bt.shape()));
    float alpha = a.f("alpha", 1f), beta = a.f("beta", 1f);
    boolean transB = a.i("transB", 0) != 0;
    if (a.i("transA", 0) != 0) {
      x = new Dyn(c.named(n, "transA").transpose(x.value(), 1, 0), new long[] {x.dims()[1], x.dims()[0]}, false);
    }
    int k = transB ? bt.dim(1) : bt.dim(0), m = transB ? bt.dim(0) : bt.dim(1);
    float[] w = weightRows(bt.floats("B"), k, m, transB, alpha);
    float[] bias = null;
    Object cIn = in.length > 2 ? in[2] : null;
    if (cIn instanceof ConstTensor ct && beta != 0f && (ct.numel() == 1 || (ct.numel() == m && ct.shape()[ct.rank() - 1] == m))) {
      float[] cv = ct.floats("C");
      bias = new float[m];
      for (int j = 0; j < m; j++) bias[j] = beta * cv[cv.length == 1 ? 0 : j];
      cIn = null;
    }
    Value v = c.named(n, "").linear(x.value(), new LinearSpec(k, m, bias != null, Activation.NONE), w, bias);
    Dyn y = new Dyn(v, new long[] {x.dims()[0], m}, x.batch0());
    if (cIn != null && beta != 0f) {
      Object scaled = cIn;
      if (beta != 1f) {
        scaled = cIn instanceof ConstTensor ct ? scale(ct, beta)
            : binaryOp(n, "scaleC", "Mul", cIn, ConstTensor.ofFloats(DataType.FLOAT, new int[0], new float[] {beta}));
      }
      y = binaryOp(n, "addC", "Add", y, scaled);
    }
    return y;
  }

  /** A [m, k] weight (linear's layout) from B stored [k, m] (or [m, k] when transposed), times alpha. */
  private static float[] weightRows(float[] b, int k, int m, boolean transposed, float alpha) {
    float[] w = new float[m * k];
    for (int i = 0; i < m; i++) {
      for (int j = 0; j < k; j++) w[i * k + j] = alpha * (transposed ? b[i * k + j] : b[j * m + i]);
    }
    return w;
  }

  private static ConstTensor scale(ConstTensor t, float s) {
    float[] f = t.floats("C").clone();
    for (int i = 0; i < f.length; i++) f[i] *= s;
    return ConstTensor.ofFloats(DataType.FLOAT, t.shape(), f);
  }

  private Dyn matMul(NodeProto n, Object[] in) {
    if (!(in[0] instanceof Dyn) || !(in[1] instanceof ConstTensor)) {
      throw new IllegalArgumentException("MatMul is supported as run-time data times a constant 2-D matrix");
    }
    Dyn x = (Dyn) in[0];
    ConstTensor b = (ConstTensor) in[1];
    if (b.rank() != 2 || x.rank() < 2) {
      throw new IllegalArgumentException("MatMul needs A of rank >= 2 and a 2-D constant B, got A "
          + Arrays.toString(x.dims()) + ", B " + Arrays.toString(b.shape()));
    }
    int k = b.dim(0), m = b.dim(1);
    Value v = c.named(n, "").linear(x.value(), new LinearSpec(k, m, false, Activation.NONE),
        weightRows(b.floats("B"), k, m, false, 1f), null);
    long[] dims = x.dims().clone();
    dims[dims.length - 1] = m;
    return new Dyn(v, dims, x.batch0());
  }

  // ------------------------------------------------------------------------------------------------ elementwise

  private Dyn activation(NodeProto n, Object[] in, Activation act) {
    Dyn x = dyn(in[0], "X");
    return new Dyn(c.named(n, "").activation(x.value(), act), x.dims(), x.batch0());
  }

  /** Clip's bounds: attributes before opset 11, optional scalar inputs since; absent means unbounded. */
  private Activation clip(Attributes a, Object[] in) {
    float lo = -Float.MAX_VALUE, hi = Float.MAX_VALUE;
    if (opset < 11) {
      lo = a.f("min", lo);
      hi = a.f("max", hi);
    } else {
      if (in.length > 1 && in[1] != null) lo = scalar(constant(in[1], "min"), "min");
      if (in.length > 2 && in[2] != null) hi = scalar(constant(in[2], "max"), "max");
    }
    return Activation.clamp(lo, hi);
  }

  private static float scalar(ConstTensor t, String what) {
    if (t.numel() != 1) throw new IllegalArgumentException(what + " must hold one value, got " + t);
    return (float) t.number(0, what);
  }

  private Dyn binary(NodeProto n, String op, Object x, Object y) {
    return binaryOp(n, "", op, x, y);
  }

  private Dyn binaryOp(NodeProto n, String suffix, String op, Object x, Object y) {
    for (Object o : new Object[] {x, y}) {
      if (o instanceof ConstTensor t && !t.isFloating()) {
        throw new IllegalArgumentException(op + " of float32 data and an " + t.type + " constant");
      }
    }
    Value va = c.value(x, op + "_A"), vb = c.value(y, op + "_B");
    Value v;
    switch (op) {
      case "Add": v = c.named(n, suffix).add(va, vb); break;
      case "Sub": v = c.named(n, suffix).sub(va, vb); break;
      case "Mul": v = c.named(n, suffix).mul(va, vb); break;
      default: v = c.named(n, suffix).div(va, vb);
    }
    long[] out = ConstantFolder.broadcast(GraphConverter.dimsOf(x), GraphConverter.dimsOf(y));
    int r = out.length;
    boolean batch0 = x instanceof Dyn d && d.batch0() && d.rank() == r || y instanceof Dyn e && e.batch0() && e.rank() == r;
    return new Dyn(v, out, batch0);
  }

  private Dyn batchNorm(NodeProto n, Attributes a, Object[] in) {
    Dyn x = dyn(in[0], "X");
    if (opset < 9 && a.i("spatial", 1) != 1) throw new IllegalArgumentException("spatial=0 is not supported");
    if (a.i("training_mode", 0) != 0) throw new IllegalArgumentException("training_mode=1 is not supported");
    noSecondOutput(n, "running statistics");
    float[] g = constant(in[1], "scale").floats("scale"), b = constant(in[2], "B").floats("B");
    float[] mean = constant(in[3], "input_mean").floats("input_mean");
    float[] var = constant(in[4], "input_var").floats("input_var");
    Value v = c.named(n, "").batchNorm2d(x.value(), g, b, mean, var, a.f("epsilon", 1e-5f));
    return new Dyn(v, x.dims(), x.batch0());
  }

  private Dyn dropout(NodeProto n, Object[] in) {
    noSecondOutput(n, "mask");
    if (opset >= 12 && in.length > 2 && in[2] != null && scalar(constant(in[2], "training_mode"), "training_mode") != 0) {
      throw new IllegalArgumentException("training_mode=true is not supported (inference only)");
    }
    return dyn(in[0], "data");
  }

  // ------------------------------------------------------------------------------------------------ shapes

  private ConstTensor shape(Attributes a, Object in) {
    long[] dims = GraphConverter.dimsOf(in);
    boolean batch0 = in instanceof Dyn d && d.batch0();
    int r = dims.length;
    long start = a.i("start", 0), end = a.i("end", r);
    start = Math.max(0, Math.min(r, start < 0 ? start + r : start));
    end = Math.max(start, Math.min(r, end < 0 ? end + r : end));
    long[] v = new long[(int) (end - start)];
    boolean[] marks = new boolean[v.length];
    for (int i = 0; i < v.length; i++) {
      int d = (int) start + i;
      v[i] = dims[d];
      if (d == 0 && batch0) {
        marks[i] = true;
        if (v[i] < 0) v[i] = ConstTensor.UNKNOWN;
      } else if (v[i] < 0) {
        throw new ShapeNeededException("Shape reads dimension " + d + ", which the model leaves symbolic");
      }
    }
    return ConstTensor.ofLongs(DataType.INT64, new int[] {v.length}, v, marks);
  }

  /**
   * A reshape to dims (-1 where unknown). Dim 0 stays the batch (copied with 0) when it was and is; any other
   * unknown dim becomes the one -1.
   */
  private Dyn reshapeTo(NodeProto n, String suffix, Dyn x, long[] dims, boolean keepBatch) {
    boolean batch0 = keepBatch && x.batch0();
    int[] t = new int[dims.length];
    int unknown = 0;
    for (int i = 0; i < t.length; i++) {
      if (i == 0 && batch0) t[i] = 0;
      else if (dims[i] >= 0) t[i] = toInt(dims[i], "dimension");
      else {
        t[i] = -1;
        unknown++;
      }
    }
    if (unknown > 1) {
      throw new ShapeNeededException("the result has " + unknown + " dimensions that depend on symbolic input sizes");
    }
    return new Dyn(c.named(n, suffix).reshape(x.value(), t), dims, batch0);
  }

  private Dyn flatten(NodeProto n, Attributes a, Dyn x) {
    int axis = ConstantFolder.flattenAxis(a.i("axis", 1), x.rank());
    if (axis == 1 && x.rank() > 1) {
      long inner = 1;
      for (int d = 1; d < x.rank(); d++) inner = known(inner, x.dims()[d]);
      return new Dyn(c.named(n, "").flatten(x.value(), 1), new long[] {x.dims()[0], inner}, x.batch0());
    }
    long outer = 1, inner = 1;
    for (int d = 0; d < x.rank(); d++) {
      if (d < axis) outer = known(outer, x.dims()[d]);
      else inner = known(inner, x.dims()[d]);
    }
    return reshapeTo(n, "", x, new long[] {outer, inner}, false);
  }

  /**
   * ONNX Reshape of run-time data. A target element that is the batch size (folded from Shape, or the literal
   * static batch at index 0) becomes 0, "copy dimension 0", so the graph runs at any batch size.
   */
  private Dyn reshape(NodeProto n, Attributes a, Dyn x, ConstTensor target) {
    if (target.rank() != 1 || target.isFloating()) {
      throw new IllegalArgumentException("shape must be a 1-D integer tensor, got " + target);
    }
    boolean allowZero = a.i("allowzero", 0) != 0;
    int r = target.numel();
    int[] t = new int[r];
    long[] raw = new long[r];
    for (int i = 0; i < r; i++) {
      boolean batchElement = target.isBatch(i) || (i == 0 && x.batch0() && x.dims()[0] >= 0
          && target.number(0, "shape") == x.dims()[0]);
      if (batchElement && i == 0 && x.batch0()) {
        t[i] = 0;
      } else {
        long v = (long) target.number(i, "shape element " + i);
        if (v == 0 && allowZero) throw new IllegalArgumentException("allowzero with a 0 in shape (empty tensor)");
        if (v < -1 || v > Integer.MAX_VALUE) throw new IllegalArgumentException("shape " + target + " is invalid");
        t[i] = (int) v;
      }
      raw[i] = t[i];
    }
    long[] dims = reshapedDims(x.dims(), raw);
    boolean batch0 = x.batch0() && (t[0] == 0 || (t[0] == -1 && perImage(dims) >= 0 && perImage(dims) == perImage(x.dims())));
    return new Dyn(c.named(n, "").reshape(x.value(), t), dims, batch0);
  }

  private static long perImage(long[] dims) {
    long p = 1;
    for (int i = 1; i < dims.length; i++) p = known(p, dims[i]);
    return dims.length == 0 ? -1 : p;
  }

  /** Reshaped dims, -1 where they depend on unknown input dims (found by evaluating with two stand-in sizes). */
  private static long[] reshapedDims(long[] in, long[] target) {
    boolean anyUnknown = false;
    for (long d : in) anyUnknown |= d < 0;
    if (!anyUnknown) return toLong(ConstantFolder.reshapeTarget(toInt(in, 1), target, false));
    try {
      int[] a = ConstantFolder.reshapeTarget(toInt(in, 1), target, false);
      int[] b = ConstantFolder.reshapeTarget(toInt(in, 2), target, false);
      long[] out = new long[a.length];
      for (int i = 0; i < a.length; i++) out[i] = a[i] == b[i] ? a[i] : -1;
      return out;
    } catch (IllegalArgumentException e) {
      long[] out = new long[target.length];
      Arrays.fill(out, -1);
      return out;
    }
  }

  private static int[] toInt(long[] dims, int unknownAs) {
    int[] s = new int[dims.length];
    for (int i = 0; i < s.length; i++) s[i] = dims[i] < 0 ? unknownAs : (int) dims[i];
    return s;
  }

  private static long[] toLong(int[] s) {
    long[] l = new long[s.length];
    for (int i = 0; i < s.length; i++) l[i] = s[i];
    return l;
  }

  private Dyn squeeze(NodeProto n, Attributes a, Object[] in, boolean unsqueeze) {
    Dyn x = dyn(in[0], "data");
    long[] axes = opset < 13 ? a.ints("axes", null)
        : in.length > 1 && in[1] != null ? constant(in[1], "axes").longs("axes") : null;
    long[] dims = x.dims();
    List<Long> out = new ArrayList<>();
    boolean keepBatch;
    if (unsqueeze) {
      if (axes == null) throw new IllegalArgumentException("axes are missing");
      int r = dims.length + axes.length;
      boolean[] ins = new boolean[r];
      for (long ax : axes) ins[ConstantFolder.axis(ax, r, "axis")] = true;
      for (int d = 0, s = 0; d < r; d++) out.add(ins[d] ? 1L : dims[s++]);
      keepBatch = !ins[0];
    } else {
      boolean[] drop = new boolean[dims.length];
      if (axes == null) {
        for (int d = 0; d < dims.length; d++) {
          if (dims[d] < 0) throw new ShapeNeededException("Squeeze without axes needs every dimension");
          drop[d] = dims[d] == 1;
        }
      } else {
        for (long ax : axes) {
          int d = ConstantFolder.axis(ax, dims.length, "axis");
          if (dims[d] != 1 && !(dims[d] < 0 && d > 0)) {
            throw new IllegalArgumentException("cannot squeeze dimension " + d + " of size " + dims[d]);
          }
          drop[d] = true;
        }
      }
      for (int d = 0; d < dims.length; d++) if (!drop[d]) out.add(dims[d]);
      keepBatch = dims.length > 0 && !drop[0];
    }
    long[] o = out.stream().mapToLong(Long::longValue).toArray();
    return reshapeTo(n, "", x, o, keepBatch);
  }

  private Dyn transpose(NodeProto n, Attributes a, Dyn x) {
    int r = x.rank();
    long[] p = a.ints("perm", null);
    int[] perm = new int[r];
    for (int d = 0; d < r; d++) perm[d] = p == null ? r - 1 - d : (int) p[d];
    if (p != null && p.length != r) throw new IllegalArgumentException("perm " + Arrays.toString(p) + " for rank " + r);
    long[] dims = new long[r];
    for (int d = 0; d < r; d++) dims[d] = x.dims()[perm[d]];
    return new Dyn(c.named(n, "").transpose(x.value(), perm), dims, x.batch0() && perm[0] == 0);
  }

  /** Slice of run-time data with unit steps: a crop, i.e. a pad with negative amounts. */
  private Dyn slice(NodeProto n, Attributes a, Object[] in) {
    Dyn x = dyn(in[0], "data");
    ConstTensor[] params = new ConstTensor[in.length];
    for (int k = 1; k < in.length; k++) params[k] = in[k] == null ? null : constant(in[k], "Slice parameter " + k);
    int r = x.rank();
    ConstantFolder.SliceBox box = ConstantFolder.sliceBox(toInt(x.dims(), Integer.MAX_VALUE / 2), params, a, opset);
    long[] pads = new long[2 * r];
    long[] dims = x.dims().clone();
    boolean identity = true;
    for (int d = 0; d < r; d++) {
      if (!box.sliced()[d]) continue;
      if (x.dims()[d] < 0) {
        if (d == 0 && x.batch0()) throw new IllegalArgumentException("slicing the batch dimension is not supported");
        throw new ShapeNeededException("Slice of dimension " + d + " needs its size, which the model leaves symbolic");
      }
      if (box.step()[d] != 1) throw new IllegalArgumentException("Slice steps other than 1 are not supported");
      if (box.size()[d] == 0) throw new IllegalArgumentException("Slice of dimension " + d + " is empty");
      pads[d] = -box.start()[d];
      pads[r + d] = -(x.dims()[d] - box.start()[d] - box.size()[d]);
      dims[d] = box.size()[d];
      identity &= pads[d] == 0 && pads[r + d] == 0;
    }
    if (identity) return x;
    return padOp(n, "", x, null, 0f, pads);
  }

  private Object pad(NodeProto n, Attributes a, Object[] in) {
    Dyn x = dyn(in[0], "data");
    int r = x.rank();
    String modeName = a.s("mode", "constant");
    long[] pads;
    float value = 0f;
    if (opset < 11) {
      pads = a.ints("pads", a.ints("paddings", null));
      if (pads == null) throw new IllegalArgumentException("attribute pads is missing");
      value = a.f("value", 0f);
    } else {
      pads = constant(in[1], "pads").longs("pads");
      if (in.length > 2 && in[2] != null) value = scalar(constant(in[2], "constant_value"), "constant_value");
      if (in.length > 3 && in[3] != null) {
        long[] axes = constant(in[3], "axes").longs("axes");
        if (pads.length != 2 * axes.length) {
          throw new IllegalArgumentException("pads has " + pads.length + " entries for " + axes.length + " axes");
        }
        long[] full = new long[2 * r];
        for (int k = 0; k < axes.length; k++) {
          int d = ConstantFolder.axis(axes[k], r, "axis");
          full[d] = pads[k];
          full[r + d] = pads[axes.length + k];
        }
        pads = full;
      }
    }
    if (pads.length != 2 * r) {
      throw new IllegalArgumentException("pads has " + pads.length + " entries but the input has rank " + r);
    }
    PaddingMode mode;
    switch (modeName) {
      case "constant": mode = null; break;
      case "reflect": mode = PaddingMode.REFLECT; break;
      case "edge": mode = PaddingMode.REPLICATE; break;
      case "wrap":
        if (opset < 19) throw new IllegalArgumentException("mode \"wrap\" needs opset 19, the model has " + opset);
        mode = PaddingMode.CIRCULAR;
        break;
      default: throw new IllegalArgumentException("mode \"" + modeName + "\" is not constant, reflect, edge or wrap");
    }
    NodeProto reader = c.soleReader(n.getOutput(0));
    boolean spatialOnly = r == 4 && pads[0] == 0 && pads[1] == 0 && pads[4] == 0 && pads[5] == 0;
    for (long p : pads) spatialOnly &= p >= 0;
    if (spatialOnly && reader != null && reader.getOpType().equals("Conv") && reader.getInputCount() > 0
        && reader.getInput(0).equals(n.getOutput(0)) && (mode != null || value == 0f)) {
      return new PendingPad(n, x, mode == null ? PaddingMode.ZEROS : mode, pads);
    }
    return padOp(n, "", x, mode, value, pads);
  }

  private Dyn padOp(NodeProto n, String suffix, Dyn x, PaddingMode mode, float value, long[] pads) {
    int r = x.rank();
    int[] p = new int[pads.length];
    for (int i = 0; i < p.length; i++) {
      if (pads[i] < Integer.MIN_VALUE || pads[i] > Integer.MAX_VALUE) throw new IllegalArgumentException("pads out of range");
      p[i] = (int) pads[i];
    }
    Value v = mode == null ? c.named(n, suffix).pad(x.value(), value, p) : c.named(n, suffix).pad(x.value(), mode, p);
    long[] dims = x.dims().clone();
    for (int d = 0; d < r; d++) if (dims[d] >= 0) dims[d] += p[d] + p[r + d];
    return new Dyn(v, dims, x.batch0() && p[0] == 0 && p[r] == 0);
  }

  private Dyn concat(NodeProto n, Attributes a, Object[] in) {
    if (!a.has("axis")) throw new IllegalArgumentException("attribute axis is missing");
    Dyn first = null;
    for (Object o : in) if (first == null && o instanceof Dyn d) first = d;
    int r = first.rank();
    int axis = ConstantFolder.axis(a.i("axis", 0), r, "axis");
    List<Value> vs = new ArrayList<>();
    long[] dims = first.dims().clone();
    dims[axis] = 0;
    for (int k = 0; k < in.length; k++) {
      if (in[k] instanceof ConstTensor t && !t.isFloating()) {
        throw new IllegalArgumentException("input " + k + " is an " + t.type + " constant, the data is float32");
      }
      vs.add(c.value(in[k], "Concat_" + k));
      long[] dk = GraphConverter.dimsOf(in[k]);
      if (dk.length != r) throw new IllegalArgumentException("input " + k + " has rank " + dk.length + ", not " + r);
      dims[axis] = dims[axis] < 0 || dk[axis] < 0 ? -1 : dims[axis] + dk[axis];
    }
    return new Dyn(c.named(n, "").concat(vs, axis), dims, first.batch0() && axis != 0);
  }

  /**
   * Softmax over one axis (opset 13+), or before opset 13 over the input coerced to 2-D at axis: every dimension
   * from axis on is one softmax row. The coerced form is flatten, softmax over the last axis, and a reshape back.
   */
  private Dyn softmax(NodeProto n, Attributes a, Dyn x, boolean log) {
    int r = x.rank();
    if (opset >= 13) {
      int axis = ConstantFolder.axis(a.i("axis", -1), r, "axis");
      return new Dyn(c.named(n, "").softmax(x.value(), axis, log), x.dims(), x.batch0());
    }
    int axis = ConstantFolder.axis(a.i("axis", 1), r, "axis");
    if (axis == r - 1) return new Dyn(c.named(n, "").softmax(x.value(), -1, log), x.dims(), x.batch0());
    long outer = 1, inner = 1;
    for (int d = 0; d < r; d++) {
      if (d < axis) outer = known(outer, x.dims()[d]);
      else inner = known(inner, x.dims()[d]);
    }
    Dyn flat = axis == 1 ? new Dyn(c.named(n, "flatten").flatten(x.value(), 1), new long[] {x.dims()[0], inner}, x.batch0())
        : reshapeTo(n, "flatten", x, new long[] {outer, inner}, false);
    Dyn s = new Dyn(c.named(n, "").softmax(flat.value(), -1, log), flat.dims(), flat.batch0());
    return reshapeTo(n, "unflatten", s, x.dims(), axis == 1);
  }
}
