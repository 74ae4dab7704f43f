package org.conv4j.spec;

/** Argument checks whose messages name the parameter, its value and the rule it breaks. */
public final class Check {
  private Check() {}

  public static int positive(String name, int value) {
    if (value < 1) throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    return value;
  }

  public static int nonNegative(String name, int value) {
    if (value < 0) throw new IllegalArgumentException(name + " must be >= 0, got " + value);
    return value;
  }

  /** Requires that [off, off + count) lies inside an array of the given length. */
  public static void span(String name, float[] array, long off, long count) {
    if (array == null) throw new IllegalArgumentException(name + " must not be null");
    if (off < 0 || count < 0 || off + count > array.length) {
      throw new IllegalArgumentException(
          name + " needs " + count + " floats from offset " + off + " but has length " + array.length);
    }
  }

  /** Requires an exact length, for weights and biases. */
  public static void length(String name, float[] array, long expected, String shapeText) {
    if (array == null) throw new IllegalArgumentException(name + " must not be null");
    if (array.length != expected) {
      throw new IllegalArgumentException(
          name + " must have " + expected + " floats (" + shapeText + ") but has " + array.length);
    }
  }
}
