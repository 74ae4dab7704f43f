package org.conv4j.cli;

import java.util.Arrays;
import java.util.Comparator;

/** The k largest scores of a row, highest first; equal scores keep the lower index first; NaN ranks last. */
final class TopK {
  private TopK() {}

  /** Indices (relative to off) of the k largest of scores[off, off + n), k capped at n. */
  static int[] indices(float[] scores, int off, int n, int k) {
    Integer[] idx = new Integer[n];
    for (int i = 0; i < n; i++) idx[i] = i;
    Comparator<Integer> byScore = (a, b) -> {
      float x = scores[off + a], y = scores[off + b];
      if (Float.isNaN(x) || Float.isNaN(y)) return Float.isNaN(x) ? (Float.isNaN(y) ? 0 : 1) : -1;
      return Float.compare(y, x);
    };
    Arrays.sort(idx, byScore.thenComparing(Comparator.naturalOrder()));
    int m = Math.min(k, n);
    int[] out = new int[m];
    for (int i = 0; i < m; i++) out[i] = idx[i];
    return out;
  }
}
