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

  /**
   * Requires that [aOff, aOff + aCount) of a and [bOff, bOff + bCount) of b share no element, or, when inPlaceOk,
   * that they are the very same span (elementwise ops run in place; nothing may read ahead of where it writes).
   */
  public static void noOverlap(String aName, float[] a, long aOff, long aCount, String bName, float[] b, long bOff,
      long bCount, boolean inPlaceOk) {
    if (a != b || aOff + aCount <= bOff || bOff + bCount <= aOff || aCount == 0 || bCount == 0) return;
    if (inPlaceOk && aOff == bOff && aCount == bCount) return;
    throw new IllegalArgumentException(
        bName + " [" + bOff + ", " + (bOff + bCount) + ") overlaps " + aName + " [" + aOff + ", " + (aOff + aCount)
            + ") in the same array" + (inPlaceOk ? "; only the same span (in place) is allowed" : ""));
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
