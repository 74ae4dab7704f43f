package org.conv4j.onnx;

import java.util.Arrays;
import java.util.Set;
import org.conv4j.Tensor;
import org.conv4j.onnx.proto.OnnxProto.TensorProto;

/**
 * Evaluates, at load time, the ops PyTorch's exporter writes around Pad and Reshape (and a few more) when all their
 * data inputs are constants: Constant, Gather, Unsqueeze, Squeeze, Concat, Slice, Transpose, Cast, ConstantOfShape,
 * Reshape, Flatten, Identity, Dropout and Add/Sub/Mul/Div (numpy broadcasting, same type). Shape is folded by the
 * converter, which knows the shapes of non-constant values. Attribute and input forms are both read according to
 * the opset (Unsqueeze/Squeeze axes became inputs in 13, Slice's starts/ends in 10).
 */
final class ConstantFolder {
  private ConstantFolder() {}

  /** Ops that fold when their inputs are constant. */
  static final Set<String> OPS = Set.of("Constant", "Gather", "Unsqueeze", "Squeeze", "Concat", "Slice", "Transpose",
      "Cast", "ConstantOfShape", "Reshape", "Flatten", "Identity", "Dropout", "Add", "Sub", "Mul", "Div");

  /** The node's first output; in[k] is null for an absent optional input. */
  static ConstTensor fold(String op, Attributes a, ConstTensor[] in, int opset) {
    switch (op) {
      case "Constant": return constant(a);
      case "Identity":
      case "Dropout":
        return in[0];
      case "Gather": return gather(in[0], in[1], a.i("axis", 0));
      case "Unsqueeze": return unsqueeze(in[0], opset < 13 ? required(a.ints("axes", null), "axes") : longs(in, 1, "axes"));
      case "Squeeze": {
        long[] axes = opset < 13 ? a.ints("axes", null) : in.length > 1 && in[1] != null ? in[1].longs("axes") : null;
        return squeeze(in[0], axes);
      }
      case "Concat": return concat(in, required(a.has("axis") ? a.i("axis", 0) : null, "axis"));
      case "Slice": return slice(in, a, opset);
      case "Transpose": return transpose(in[0], a.ints("perm", null));
      case "Cast": return in[0].cast(castTarget(a));
      case "ConstantOfShape": return constantOfShape(in[0], a.t("value"));
      case "Reshape": return in[0].reshape(reshapeTarget(in[0].shape(), longs(in, 1, "shape"), a.i("allowzero", 0) != 0));
      case "Flatten": {
        int[] s = in[0].shape();
        int axis = flattenAxis(a.i("axis", 1), s.length);
        long outer = Tensor.numel(Arrays.copyOf(s, axis));
        return in[0].reshape(new int[] {(int) outer, (int) (in[0].numel() / Math.max(outer, 1))});
      }
      case "Add":
      case "Sub":
      case "Mul":
      case "Div":
        return arithmetic(op, in[0], in[1]);
      default:
        throw new IllegalArgumentException(op + " cannot be evaluated at load time");
    }
  }

  /** Cast's "to" type. */
  static DataType castTarget(Attributes a) {
    if (!a.has("to")) throw new IllegalArgumentException("attribute to is missing");
    return DataType.of((int) a.i("to", 0), "Cast to");
  }

  private static <T> T required(T v, String name) {
    if (v == null) throw new IllegalArgumentException("attribute " + name + " is missing");
    return v;
  }

  private static long[] longs(ConstTensor[] in, int k, String name) {
    if (k >= in.length || in[k] == null) throw new IllegalArgumentException("input " + name + " is missing");
    return in[k].longs(name);
  }

  /** axis in [-rank, rank) normalized to [0, rank), or an error naming it. */
  static int axis(long axis, int rank, String name) {
    if (axis < -rank || axis >= rank) {
      throw new IllegalArgumentException(name + " " + axis + " is out of range [" + -rank + ", " + (rank - 1) + "]");
    }
    return (int) (axis < 0 ? axis + rank : axis);
  }

  /** Flatten's axis, in [-rank, rank], normalized to [0, rank]. */
  static int flattenAxis(long axis, int rank) {
    if (axis < -rank || axis > rank) {
      throw new IllegalArgumentException("axis " + axis + " is out of range [" + -rank + ", " + rank + "]");
    }
    return (int) (axis < 0 ? axis + rank : axis);
  }

  /** Row-major strides of a shape. */
  static int[] strides(int[] shape) {
    int[] st = new int[shape.length];
    int s = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      st[d] = s;
      s *= shape[d];
    }
    return st;
  }

  private static ConstTensor constant(Attributes a) {
    TensorProto t = a.t("value");
    if (t != null) return TensorDecoder.decode(t, "Constant value");
    if (a.has("value_float")) return ConstTensor.ofFloats(DataType.FLOAT, new int[0], new float[] {a.f("value_float", 0)});
    if (a.has("value_floats")) {
      float[] f = a.floats("value_floats");
      return ConstTensor.ofFloats(DataType.FLOAT, new int[] {f.length}, f);
    }
    if (a.has("value_int")) return ConstTensor.int64(new int[0], a.i("value_int", 0));
    if (a.has("value_ints")) {
      long[] l = a.ints("value_ints", null);
      return ConstTensor.int64(new int[] {l.length}, l);
    }
    throw new IllegalArgumentException("Constant has no value, value_float(s) or value_int(s) attribute "
        + "(sparse and string constants are not supported)");
  }

  private static ConstTensor gather(ConstTensor data, ConstTensor indices, long axisAttr) {
    int[] ds = data.shape();
    int axis = axis(axisAttr, ds.length, "axis");
    long[] idx = indices.longs("indices");
    int[] is = indices.shape();
    int outer = (int) Tensor.numel(Arrays.copyOf(ds, axis));
    int inner = (int) Tensor.numel(Arrays.copyOfRange(ds, axis + 1, ds.length));
    int[] outShape = new int[ds.length - 1 + is.length];
    System.arraycopy(ds, 0, outShape, 0, axis);
    System.arraycopy(is, 0, outShape, axis, is.length);
    System.arraycopy(ds, axis + 1, outShape, axis + is.length, ds.length - axis - 1);
    int[] src = new int[outer * idx.length * inner];
    int k = 0;
    for (int o = 0; o < outer; o++) {
      for (long j : idx) {
        if (j < -ds[axis] || j >= ds[axis]) {
          throw new IllegalArgumentException("index " + j + " is out of range for dimension " + axis + " of size " + ds[axis]);
        }
        int jj = (int) (j < 0 ? j + ds[axis] : j);
        for (int i = 0; i < inner; i++) src[k++] = (o * ds[axis] + jj) * inner + i;
      }
    }
    return data.select(src, outShape);
  }

  private static ConstTensor unsqueeze(ConstTensor data, long[] axes) {
    int r = data.rank() + axes.length;
    boolean[] inserted = new boolean[r];
    for (long ax : axes) {
      int a = axis(ax, r, "Unsqueeze axis");
      if (inserted[a]) throw new IllegalArgumentException("Unsqueeze axes " + Arrays.toString(axes) + " repeat " + a);
      inserted[a] = true;
    }
    int[] out = new int[r];
    for (int d = 0, s = 0; d < r; d++) out[d] = inserted[d] ? 1 : data.dim(s++);
    return data.reshape(out);
  }

  /** The shape without the given axes (which must have size 1), or without every 1 when axes is null. */
  static int[] squeezedShape(int[] s, long[] axes) {
    boolean[] drop = new boolean[s.length];
    if (axes == null) {
      for (int d = 0; d < s.length; d++) drop[d] = s[d] == 1;
    } else {
      for (long ax : axes) {
        int a = axis(ax, s.length, "Squeeze axis");
        if (s[a] != 1) throw new IllegalArgumentException("cannot squeeze dimension " + a + " of size " + s[a]);
        drop[a] = true;
      }
    }
    int[] out = new int[s.length];
    int r = 0;
    for (int d = 0; d < s.length; d++) if (!drop[d]) out[r++] = s[d];
    return Arrays.copyOf(out, r);
  }

  private static ConstTensor squeeze(ConstTensor data, long[] axes) {
    return data.reshape(squeezedShape(data.shape(), axes));
  }

  private static ConstTensor concat(ConstTensor[] in, long axisAttr) {
    int[] first = in[0].shape();
    int axis = axis(axisAttr, first.length, "axis");
    int[] out = first.clone();
    out[axis] = 0;
    for (ConstTensor t : in) {
      int[] s = t.shape();
      boolean ok = s.length == first.length;
      for (int d = 0; ok && d < s.length; d++) ok = d == axis || s[d] == first[d];
      if (!ok) {
        throw new IllegalArgumentException("Concat inputs " + Arrays.toString(first) + " and " + Arrays.toString(s)
            + " differ outside axis " + axis);
      }
      out[axis] += s[axis];
    }
    int outer = (int) Tensor.numel(Arrays.copyOf(first, axis));
    int n = (int) Tensor.numel(out);
    int[] which = new int[n];
    int[] idx = new int[n];
    int k = 0;
    for (int o = 0; o < outer; o++) {
      for (int t = 0; t < in.length; t++) {
        int chunk = in[t].numel() / Math.max(outer, 1);
        for (int i = 0; i < chunk; i++) {
          which[k] = t;
          idx[k++] = o * chunk + i;
        }
      }
    }
    return ConstTensor.pick(in, which, idx, out);
  }

  /** ONNX Slice parameters resolved against a shape: per dimension start, step and output size. */
  record SliceBox(int[] start, int[] step, int[] size, boolean[] sliced) {}

  /** Reads Slice's starts/ends/axes/steps (attributes before opset 10, inputs since) and clamps them as ONNX. */
  static SliceBox sliceBox(int[] shape, ConstTensor[] in, Attributes a, int opset) {
    long[] starts, ends, axes, steps = null;
    if (opset < 10) {
      starts = required(a.ints("starts", null), "starts");
      ends = required(a.ints("ends", null), "ends");
      axes = a.ints("axes", null);
    } else {
      starts = longs(in, 1, "starts");
      ends = longs(in, 2, "ends");
      axes = in.length > 3 && in[3] != null ? in[3].longs("axes") : null;
      steps = in.length > 4 && in[4] != null ? in[4].longs("steps") : null;
    }
    int r = shape.length;
    if (ends.length != starts.length || (axes != null && axes.length != starts.length)
        || (steps != null && steps.length != starts.length)) {
      throw new IllegalArgumentException("Slice starts, ends, axes and steps must have the same length");
    }
    int[] start = new int[r], step = new int[r], size = shape.clone();
    Arrays.fill(step, 1);
    boolean[] seen = new boolean[r];
    for (int k = 0; k < starts.length; k++) {
      int d = axes == null ? k : axis(axes[k], r, "Slice axis");
      if (seen[d]) throw new IllegalArgumentException("Slice axis " + d + " appears twice");
      seen[d] = true;
      long st = steps == null ? 1 : steps[k];
      if (st == 0) throw new IllegalArgumentException("Slice step must not be 0");
      long dim = shape[d];
      long b = starts[k] < 0 ? starts[k] + dim : starts[k];
      long e = ends[k] < 0 ? ends[k] + dim : ends[k];
      if (st > 0) {
        b = Math.max(0, Math.min(b, dim));
        e = Math.max(0, Math.min(e, dim));
      } else {
        b = Math.max(0, Math.min(b, dim - 1));
        e = Math.max(-1, Math.min(e, dim - 1));
      }
      long n = st > 0 ? (e - b + st - 1) / st : (b - e + (-st) - 1) / (-st);
      start[d] = (int) b;
      step[d] = (int) st;
      size[d] = (int) Math.max(0, n);
    }
    return new SliceBox(start, step, size, seen);
  }

  private static ConstTensor slice(ConstTensor[] in, Attributes a, int opset) {
    int[] s = in[0].shape();
    SliceBox box = sliceBox(s, in, a, opset);
    int[] perm = new int[s.length];
    for (int d = 0; d < perm.length; d++) perm[d] = d;
    return in[0].select(strided(s, box.size(), box.start(), box.step(), perm), box.size());
  }

  private static ConstTensor transpose(ConstTensor data, long[] permAttr) {
    int r = data.rank();
    int[] perm = new int[r];
    boolean[] seen = new boolean[r];
    for (int d = 0; d < r; d++) {
      long p = permAttr == null ? r - 1 - d : permAttr[d];
      if (permAttr != null && permAttr.length != r || p < 0 || p >= r || seen[(int) p]) {
        throw new IllegalArgumentException("perm " + Arrays.toString(permAttr) + " is not a permutation of rank " + r);
      }
      seen[(int) p] = true;
      perm[d] = (int) p;
    }
    int[] s = data.shape();
    int[] out = new int[r];
    for (int d = 0; d < r; d++) out[d] = s[perm[d]];
    return data.select(strided(s, out, new int[r], ones(r), perm), out);
  }

  private static int[] ones(int r) {
    int[] o = new int[r];
    Arrays.fill(o, 1);
    return o;
  }

  /**
   * Source indices of an output of shape out whose dimension d walks input dimension perm[d] from start[perm[d]]
   * in steps of step[perm[d]].
   */
  private static int[] strided(int[] in, int[] out, int[] start, int[] step, int[] perm) {
    int[] st = strides(in);
    int n = (int) Tensor.numel(out);
    int[] src = new int[n];
    int[] pos = new int[out.length];
    for (int k = 0; k < n; k++) {
      int off = 0;
      for (int d = 0; d < out.length; d++) {
        int p = perm[d];
        off += (start[p] + pos[d] * step[p]) * st[p];
      }
      src[k] = off;
      for (int d = out.length - 1; d >= 0 && ++pos[d] == out[d]; d--) pos[d] = 0;
    }
    return src;
  }

  private static ConstTensor constantOfShape(ConstTensor shape, TensorProto value) {
    long[] dims = shape.longs("ConstantOfShape shape");
    int[] s = new int[dims.length];
    for (int d = 0; d < s.length; d++) {
      if (dims[d] < 0 || dims[d] > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("ConstantOfShape shape " + Arrays.toString(dims) + " has a negative dimension");
      }
      s[d] = (int) dims[d];
    }
    ConstTensor v = value == null ? ConstTensor.ofFloats(DataType.FLOAT, new int[] {1}, new float[] {0f})
        : TensorDecoder.decode(value, "ConstantOfShape value");
    if (v.numel() != 1) throw new IllegalArgumentException("ConstantOfShape value must hold one element");
    return v.select(new int[(int) Tensor.numel(s)], s);
  }

  /**
   * ONNX Reshape's output shape: 0 copies the input dimension (unless allowzero), one -1 is inferred from the
   * element count.
   */
  static int[] reshapeTarget(int[] in, long[] target, boolean allowZero) {
    int[] out = new int[target.length];
    long known = 1;
    int inferred = -1;
    for (int d = 0; d < target.length; d++) {
      long t = target[d];
      if (t == 0 && !allowZero) {
        if (d >= in.length) throw new IllegalArgumentException("Reshape copies dimension " + d + " of a rank-" + in.length + " input");
        t = in[d];
      }
      if (t == -1) {
        if (inferred >= 0) throw new IllegalArgumentException("Reshape shape " + Arrays.toString(target) + " has two -1");
        inferred = d;
        continue;
      }
      if (t < 0 || t > Integer.MAX_VALUE) throw new IllegalArgumentException("Reshape shape " + Arrays.toString(target) + " is invalid");
      out[d] = (int) t;
      known *= t;
    }
    long numel = Tensor.numel(in);
    if (inferred >= 0) {
      if (known == 0 || numel % known != 0) {
        throw new IllegalArgumentException("cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(target));
      }
      out[inferred] = (int) (numel / known);
    } else if (known != numel) {
      throw new IllegalArgumentException("cannot reshape " + Arrays.toString(in) + " to " + Arrays.toString(target));
    }
    return out;
  }

  /** numpy broadcasting of two shapes; -1 marks an unknown dimension (taken to match). */
  static long[] broadcast(long[] a, long[] b) {
    int r = Math.max(a.length, b.length);
    long[] out = new long[r];
    for (int i = 0; i < r; i++) {
      long p = i < r - a.length ? 1 : a[i - (r - a.length)];
      long q = i < r - b.length ? 1 : b[i - (r - b.length)];
      if (p != q && p != 1 && q != 1 && p >= 0 && q >= 0) {
        throw new IllegalArgumentException("shapes " + Arrays.toString(a) + " and " + Arrays.toString(b) + " do not broadcast");
      }
      out[i] = p == 1 ? q : q == 1 ? p : p >= 0 ? p : q;
    }
    return out;
  }

  /** For each element of a broadcast output of shape out, the index into an input of shape in. */
  private static int[] broadcastIndex(int[] in, int[] out) {
    int[] st = strides(in);
    int lead = out.length - in.length;
    int n = (int) Tensor.numel(out);
    int[] src = new int[n];
    int[] pos = new int[out.length];
    for (int k = 0; k < n; k++) {
      int off = 0;
      for (int d = 0; d < in.length; d++) if (in[d] != 1) off += pos[lead + d] * st[d];
      src[k] = off;
      for (int d = out.length - 1; d >= 0 && ++pos[d] == out[d]; d--) pos[d] = 0;
    }
    return src;
  }

  private static long[] longs(int[] s) {
    long[] l = new long[s.length];
    for (int i = 0; i < s.length; i++) l[i] = s[i];
    return l;
  }

  private static ConstTensor arithmetic(String op, ConstTensor a, ConstTensor b) {
    if (a.isFloating() != b.isFloating()) {
      throw new IllegalArgumentException(op + " of " + a.type + " and " + b.type + " (ONNX needs one type)");
    }
    long[] wide = broadcast(longs(a.shape()), longs(b.shape()));
    int[] out = new int[wide.length];
    for (int d = 0; d < out.length; d++) out[d] = (int) wide[d];
    int[] ia = broadcastIndex(a.shape(), out), ib = broadcastIndex(b.shape(), out);
    if (a.isFloating()) {
      float[] x = a.floats(op), y = b.floats(op), z = new float[ia.length];
      for (int k = 0; k < z.length; k++) {
        float p = x[ia[k]], q = y[ib[k]];
        z[k] = op.equals("Add") ? p + q : op.equals("Sub") ? p - q : op.equals("Mul") ? p * q : p / q;
      }
      return ConstTensor.ofFloats(a.type, out, z);
    }
    long[] x = a.longs(op + " input A"), y = b.longs(op + " input B"), z = new long[ia.length];
    for (int k = 0; k < z.length; k++) {
      long p = x[ia[k]], q = y[ib[k]];
      if (op.equals("Div") && q == 0) throw new IllegalArgumentException("integer division by zero");
      // integer Div truncates toward zero (C semantics, as ONNX Runtime)
      z[k] = op.equals("Add") ? p + q : op.equals("Sub") ? p - q : op.equals("Mul") ? p * q : p / q;
    }
    return ConstTensor.ofLongs(a.type, out, z, null);
  }
}
