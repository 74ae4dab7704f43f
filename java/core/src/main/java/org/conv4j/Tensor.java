package org.conv4j;

import java.util.Arrays;

/**
 * A dense float32 tensor in row-major (C) order, NCHW for images. Holds its data in a heap array so the Java
 * backend reads it directly and the native backend pins it for the length of a call, with no copy either way.
 * Shapes are immutable; the data array is shared, not copied, by {@link #of} and {@link #data()}.
 */
public final class Tensor {
  private final int[] shape;
  private final float[] data;

  private Tensor(float[] data, int[] shape) {
    this.shape = shape;
    this.data = data;
  }

  /** Wraps data (not copied) as a tensor of the given shape; data.length must equal the product of shape. */
  public static Tensor of(float[] data, int... shape) {
    if (data == null) throw new IllegalArgumentException("data must not be null");
    int[] s = shape.clone();
    long n = numel(s);
    if (n != data.length) {
      throw new IllegalArgumentException(
          "data has " + data.length + " floats but shape " + Arrays.toString(s) + " needs " + n);
    }
    return new Tensor(data, s);
  }

  /** A zero-filled tensor of the given shape. */
  public static Tensor zeros(int... shape) {
    long n = numel(shape);
    if (n > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " holds " + n + " floats, over the array limit");
    }
    return new Tensor(new float[(int) n], shape.clone());
  }

  /** Product of the dimensions; rejects negative dimensions. */
  public static long numel(int... shape) {
    long n = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " has a negative dimension " + i);
      }
      n *= shape[i];
    }
    return n;
  }

  public int[] shape() {
    return shape.clone();
  }

  public int dim(int i) {
    return shape[i < 0 ? shape.length + i : i];
  }

  public int rank() {
    return shape.length;
  }

  public int numel() {
    return data.length;
  }

  /** The backing array (shared, not a copy). */
  public float[] data() {
    return data;
  }

  /** Same data, another shape of the same element count. */
  public Tensor reshape(int... newShape) {
    return of(data, newShape);
  }

  /** The 4-D shape as N, C, H, W, or an IllegalArgumentException naming the parameter. */
  public void requireRank(String name, int rank) {
    if (shape.length != rank) {
      throw new IllegalArgumentException(
          name + " must have rank " + rank + " but has shape " + Arrays.toString(shape));
    }
  }

  @Override
  public String toString() {
    return "Tensor" + Arrays.toString(shape);
  }
}
