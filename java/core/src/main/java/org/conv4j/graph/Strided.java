package org.conv4j.graph;

import java.util.ArrayList;
import java.util.List;

/**
 * An elementwise loop over an output of shape dims, reading operands through per-dimension strides (0 for a
 * broadcast dimension, permuted strides for a transpose). Dimensions that are contiguous for the output and every
 * operand are merged first, so a per-channel scale over [N, C, H, W] runs as N*C inner loops of H*W.
 */
final class Strided {
  final int[] dims;
  /** strides[k][d]: element stride of operand k along merged dimension d. */
  final int[][] strides;

  private Strided(int[] dims, int[][] strides) {
    this.dims = dims;
    this.strides = strides;
  }

  /** Merges adjacent dims of an output (row-major, contiguous) read through the given operand strides. */
  static Strided of(int[] dims, int[]... operandStrides) {
    List<int[]> merged = new ArrayList<>(); // {size, stride_0, stride_1, ...}
    for (int d = 0; d < dims.length; d++) {
      if (dims[d] == 1) continue; // a size-1 dimension moves nothing
      int[] cur = new int[operandStrides.length + 1];
      cur[0] = dims[d];
      for (int k = 0; k < operandStrides.length; k++) cur[k + 1] = operandStrides[k][d];
      if (!merged.isEmpty()) {
        int[] prev = merged.get(merged.size() - 1);
        boolean ok = true;
        for (int k = 1; ok && k < cur.length; k++) ok = prev[k] == (long) cur[k] * cur[0];
        if (ok) {
          prev[0] *= cur[0];
          for (int k = 1; k < cur.length; k++) prev[k] = cur[k];
          continue;
        }
      }
      merged.add(cur);
    }
    if (merged.isEmpty()) {
      int[] one = new int[operandStrides.length + 1];
      one[0] = 1;
      merged.add(one);
    }
    int[] md = new int[merged.size()];
    int[][] ms = new int[operandStrides.length][merged.size()];
    for (int d = 0; d < md.length; d++) {
      md[d] = merged.get(d)[0];
      for (int k = 0; k < ms.length; k++) ms[k][d] = merged.get(d)[k + 1];
    }
    return new Strided(md, ms);
  }

  /** Row-major strides of a contiguous tensor of this shape. */
  static int[] contiguous(int[] shape) {
    int[] s = new int[shape.length];
    int acc = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      s[d] = acc;
      acc *= shape[d];
    }
    return s;
  }

  /** Strides to read a tensor of shape s as if broadcast to out (numpy rules, shapes already checked). */
  static int[] broadcastStrides(int[] s, int[] out) {
    int[] c = contiguous(s);
    int[] r = new int[out.length];
    int off = out.length - s.length;
    for (int d = off; d < out.length; d++) r[d] = s[d - off] == 1 ? 0 : c[d - off];
    return r;
  }
}
