package org.conv4j.cli;

import java.util.Arrays;
import java.util.function.BiFunction;
import org.conv4j.backend.Backend;
import org.conv4j.graph.Layout;
import org.conv4j.graph.PreparedModel;

/**
 * A model as loaded (an ONNX file parsed and converted, or a zoo architecture), not yet on a backend: what input it
 * declares, in which layout inputs arrive, and how to prepare it on a backend. Checking an input shape needs no
 * backend, so commands check everything before they start any long work.
 */
final class ModelSource {
  private final String name;
  private final int[] declared; // NCHW, batch first; -1 for a dimension the model leaves open
  private final Layout layout;
  private final BiFunction<Backend, int[], PreparedModel> preparer;

  /**
   * @param declared the model's input shape in NCHW, batch first, -1 where the model leaves a dimension open
   * @param layout the layout inputs arrive in
   * @param preparer prepares on a backend for an input shape given in that layout
   */
  ModelSource(String name, int[] declared, Layout layout, BiFunction<Backend, int[], PreparedModel> preparer) {
    this.name = name;
    this.declared = declared.clone();
    this.layout = layout;
    this.preparer = preparer;
  }

  String name() {
    return name;
  }

  ModelSession open(Backend backend) {
    return new ModelSession(this, backend);
  }

  /** The input shape for a batch, in this layout; a dimension the model leaves open is a UsageException. */
  int[] inputShape(int batch) {
    int[] s = declared.clone();
    s[0] = batch;
    for (int i = 1; i < s.length; i++) {
      if (s[i] < 1) {
        throw new UsageException(name + " leaves input dimension " + i + " open (" + describe()
            + "): give an --input of the size to use");
      }
    }
    return toLayout(s);
  }

  /** Rank, batch and the channel count (where the model fixes it) must match: what a wrong input gets wrong first. */
  void check(int[] shape) {
    if (shape.length != declared.length) {
      throw new UsageException("input shape " + Arrays.toString(shape) + " has rank " + shape.length + " but "
          + name + " takes rank " + declared.length + ": " + describe());
    }
    if (shape[0] < 1) throw new UsageException("input shape " + Arrays.toString(shape) + " has batch size < 1");
    if (declared.length == 4 && declared[1] > 0) {
      int channels = layout == Layout.NHWC ? shape[3] : shape[1];
      if (channels != declared[1]) {
        throw new UsageException("input shape " + Arrays.toString(shape) + " has " + channels + " channels but "
            + name + " takes " + declared[1] + ": " + describe());
      }
    }
  }

  /** Prepares on backend for shape (checked first); an input size the model may not take is named if it fails. */
  PreparedModel prepare(Backend backend, int[] shape) {
    check(shape);
    try {
      return preparer.apply(backend, shape.clone());
    } catch (IllegalArgumentException e) {
      if (!differsFromDeclared(shape)) throw e;
      // most likely the other size is the problem: say so, with the model's own words after
      throw new UsageException("input shape " + Arrays.toString(shape) + " does not fit " + name + ", which declares "
          + describe() + ": " + e.getMessage(), e);
    }
  }

  /** Whether a per-image dimension the model fixes differs in shape (given in this layout). */
  private boolean differsFromDeclared(int[] shape) {
    int[] d = toLayout(declared);
    for (int i = 1; i < d.length; i++) {
      if (d[i] > 0 && d[i] != shape[i]) return true;
    }
    return false;
  }

  /** E.g. "[N, 3, 224, 224] (NCHW)" or, in NHWC, "[N, 224, 224, 3] (NHWC)". */
  private String describe() {
    int[] s = toLayout(declared);
    StringBuilder b = new StringBuilder("[N");
    for (int i = 1; i < s.length; i++) b.append(", ").append(s[i] < 1 ? "?" : Integer.toString(s[i]));
    return b.append("] (").append(layout).append(')').toString();
  }

  private int[] toLayout(int[] nchw) {
    if (layout != Layout.NHWC || nchw.length != 4) return nchw;
    return new int[] {nchw[0], nchw[2], nchw[3], nchw[1]};
  }
}
