package org.conv4j.onnx;

import java.util.Arrays;
import org.conv4j.Tensor;

/**
 * A tensor whose value is known at load time: an initializer, a Constant node or the result of constant folding.
 * Floating types (float, double, float16, bfloat16) are held as float[], every integer type and bool as long[].
 *
 * <p>Integer elements may be marked as "the batch size": Shape of a value whose dimension 0 is the batch yields a
 * marked element, and the marks travel through the ops that only move elements (Gather, Slice, Concat, Squeeze,
 * Unsqueeze, Reshape, Transpose, integer Cast), so that a folded Reshape target such as [N, -1] can become the
 * batch-agnostic [0, -1]. A marked element holds the file's static batch size, or {@link #UNKNOWN} when the batch
 * dimension is symbolic; computing with an unknown one is an error (see {@link #longs}).
 */
final class ConstTensor {
  /** Value of a marked element whose batch size is symbolic. */
  static final long UNKNOWN = Long.MIN_VALUE;

  final DataType type;
  private final int[] shape;
  private final float[] floats;
  private final long[] longs;
  private final boolean[] batch;

  private ConstTensor(DataType type, int[] shape, float[] floats, long[] longs, boolean[] batch) {
    this.type = type;
    this.shape = shape;
    this.floats = floats;
    this.longs = longs;
    this.batch = batch;
  }

  static ConstTensor ofFloats(DataType type, int[] shape, float[] data) {
    if (!type.floating) throw new IllegalArgumentException(type + " is not a floating type");
    check(shape, data.length);
    return new ConstTensor(type, shape.clone(), data, null, null);
  }

  static ConstTensor ofLongs(DataType type, int[] shape, long[] data, boolean[] batch) {
    if (type.floating) throw new IllegalArgumentException(type + " is not an integer type");
    check(shape, data.length);
    boolean any = false;
    if (batch != null) for (boolean b : batch) any |= b;
    return new ConstTensor(type, shape.clone(), null, data, any ? batch : null);
  }

  static ConstTensor int64(int[] shape, long... data) {
    return ofLongs(DataType.INT64, shape, data, null);
  }

  private static void check(int[] shape, int n) {
    long numel = Tensor.numel(shape);
    if (numel != n) {
      throw new IllegalArgumentException(
          "tensor data has " + n + " elements but its shape " + Arrays.toString(shape) + " needs " + numel);
    }
  }

  boolean isFloating() {
    return type.floating;
  }

  int[] shape() {
    return shape.clone();
  }

  int rank() {
    return shape.length;
  }

  int dim(int i) {
    return shape[i];
  }

  int numel() {
    return floats != null ? floats.length : longs.length;
  }

  /** Whether element i holds the batch size. */
  boolean isBatch(int i) {
    return batch != null && batch[i];
  }

  boolean hasBatch() {
    return batch != null;
  }

  /** The float data (shared); only for floating types. */
  float[] floats(String what) {
    if (floats == null) throw new IllegalArgumentException(what + " must be a floating-point tensor, got " + type);
    return floats;
  }

  /**
   * The integer data (shared) for computing with; only for integer types. A marked batch element whose size is
   * symbolic is an error: the value is not known at load time.
   */
  long[] longs(String what) {
    if (longs == null) throw new IllegalArgumentException(what + " must be an integer tensor, got " + type);
    if (batch != null) {
      for (int i = 0; i < longs.length; i++) {
        if (batch[i] && longs[i] == UNKNOWN) {
          throw new IllegalArgumentException(what + " depends on the batch size, which the model leaves symbolic");
        }
      }
    }
    return longs;
  }

  /** Element i as a double, for either kind (a marked unknown batch element is an error, as {@link #longs}). */
  double number(int i, String what) {
    if (floats != null) return floats[i];
    if (longs == null) throw new AssertionError();
    if (isBatch(i) && longs[i] == UNKNOWN) {
      throw new IllegalArgumentException(what + " depends on the batch size, which the model leaves symbolic");
    }
    return longs[i];
  }

  /** Elements src[k] of this tensor, as a tensor of the given shape; batch marks move with their elements. */
  ConstTensor select(int[] src, int[] newShape) {
    return pick(new ConstTensor[] {this}, new int[src.length], src, newShape);
  }

  /**
   * A tensor of the given shape whose element k is element idx[k] of sources[which[k]] (all of one type); batch
   * marks move with their elements.
   */
  static ConstTensor pick(ConstTensor[] sources, int[] which, int[] idx, int[] newShape) {
    DataType type = sources[0].type;
    for (ConstTensor s : sources) {
      if (s.type != type) throw new IllegalArgumentException("inputs have different types " + type + " and " + s.type);
    }
    int n = idx.length;
    if (type.floating) {
      float[] f = new float[n];
      for (int k = 0; k < n; k++) f[k] = sources[which[k]].floats[idx[k]];
      return ofFloats(type, newShape, f);
    }
    long[] l = new long[n];
    boolean[] b = new boolean[n];
    for (int k = 0; k < n; k++) {
      ConstTensor s = sources[which[k]];
      l[k] = s.longs[idx[k]];
      b[k] = s.isBatch(idx[k]);
    }
    return ofLongs(type, newShape, l, b);
  }

  /** Same elements, another shape of the same element count. */
  ConstTensor reshape(int[] newShape) {
    return floats != null ? ofFloats(type, newShape, floats) : ofLongs(type, newShape, longs, batch);
  }

  /** The same elements converted to another type, as ONNX Cast (float to integer truncates toward zero). */
  ConstTensor cast(DataType to) {
    if (to.floating) {
      float[] f = new float[numel()];
      for (int i = 0; i < f.length; i++) f[i] = (float) number(i, "Cast input");
      return ofFloats(to, shape, f);
    }
    long[] l = new long[numel()];
    for (int i = 0; i < l.length; i++) {
      if (floats != null) {
        l[i] = to == DataType.BOOL ? (floats[i] != 0f ? 1 : 0) : (long) floats[i];
      } else {
        l[i] = to == DataType.BOOL ? (longs[i] != 0 ? 1 : 0) : to.wrap(longs[i]);
      }
    }
    return ofLongs(to, shape, l, to == DataType.BOOL ? null : batch);
  }

  /** As a float32 tensor for the graph (floating types only). */
  Tensor toTensor(String what) {
    return Tensor.of(floats(what).clone(), shape);
  }

  /** Short description for messages: type, shape and up to 8 values. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(type.toString()).append(Arrays.toString(shape)).append(' ');
    int n = Math.min(numel(), 8);
    sb.append('[');
    for (int i = 0; i < n; i++) {
      if (i > 0) sb.append(", ");
      if (isBatch(i)) sb.append("batch");
      else if (floats != null) sb.append(floats[i]);
      else sb.append(longs[i]);
    }
    return sb.append(numel() > n ? ", ...]" : "]").toString();
  }
}
