package org.conv4j.cli;

import java.util.Arrays;
import java.util.function.Function;
import org.conv4j.Tensor;
import org.conv4j.graph.Layout;
import org.conv4j.graph.PreparedModel;

/**
 * A model on one backend, as run and bench use it: prepared (weights packed, plans made) for an input shape before
 * the first run, prepared again only if a later input has other per-image dimensions (conv4j's prepared models run
 * any batch size themselves). Input shapes are checked first so that a wrong one is reported against what the model
 * declares, and an input the model cannot take is reported with both shapes.
 */
final class ModelSession implements AutoCloseable {
  private final String name;
  private final int[] declared; // NCHW, batch first; -1 for a dimension the model leaves open
  private final Layout layout;
  private final Function<int[], PreparedModel> preparer;
  private PreparedModel prepared;
  private int[] preparedPerImage;

  /**
   * @param declared the model's input shape in NCHW, batch first, -1 where the model leaves a dimension open
   * @param layout the layout inputs arrive in
   * @param preparer prepares for an input shape given in that layout
   */
  ModelSession(String name, int[] declared, Layout layout, Function<int[], PreparedModel> preparer) {
    this.name = name;
    this.declared = declared.clone();
    this.layout = layout;
    this.preparer = preparer;
  }

  String name() {
    return name;
  }

  /** The input shape for a batch, in the session's layout; a dimension the model leaves open is a UsageException. */
  int[] inputShape(int batch) {
    int[] s = declared.clone();
    s[0] = batch;
    for (int i = 1; i < s.length; i++) {
      if (s[i] < 1) {
        throw new UsageException(name + " leaves input dimension " + i + " open (" + describe(declared)
            + "): give an --input of the size to use");
      }
    }
    return toLayout(s);
  }

  /** Prepares for inputs of this shape (in the session's layout) unless already prepared for its per-image dims. */
  void prepare(int[] shape) {
    check(shape);
    int[] perImage = Arrays.copyOfRange(shape, 1, shape.length);
    if (prepared != null && Arrays.equals(perImage, preparedPerImage)) return;
    close();
    try {
      prepared = preparer.apply(shape.clone());
    } catch (IllegalArgumentException e) {
      throw new UsageException("input shape " + Arrays.toString(shape) + " does not fit " + name + " (it declares "
          + describe(declared) + "): " + e.getMessage(), e);
    }
    preparedPerImage = perImage;
  }

  /** One inference; prepares first when needed. */
  Tensor run(Tensor x) {
    prepare(x.shape());
    return prepared.run(x);
  }

  /** Rank, and the channel count where the model fixes it, must match: the first things a wrong input gets wrong. */
  private void check(int[] shape) {
    if (shape.length != declared.length) {
      throw new UsageException("input shape " + Arrays.toString(shape) + " has rank " + shape.length + " but "
          + name + " takes rank " + declared.length + ": " + describe(declared));
    }
    if (shape[0] < 1) throw new UsageException("input shape " + Arrays.toString(shape) + " has batch size < 1");
    if (declared.length == 4 && declared[1] > 0) {
      int channels = layout == Layout.NHWC ? shape[3] : shape[1];
      if (channels != declared[1]) {
        throw new UsageException("input shape " + Arrays.toString(shape) + " has " + channels + " channels but "
            + name + " takes " + declared[1] + ": " + describe(declared));
      }
    }
  }

  /** E.g. "[N, 3, 224, 224] (NCHW)" or, for an NHWC session, "[N, 224, 224, 3] (NHWC)". */
  private String describe(int[] nchw) {
    int[] s = toLayout(nchw);
    StringBuilder b = new StringBuilder("[N");
    for (int i = 1; i < s.length; i++) b.append(", ").append(s[i] < 1 ? "?" : Integer.toString(s[i]));
    return b.append("] (").append(layout).append(')').toString();
  }

  private int[] toLayout(int[] nchw) {
    if (layout != Layout.NHWC || nchw.length != 4) return nchw;
    return new int[] {nchw[0], nchw[2], nchw[3], nchw[1]};
  }

  @Override
  public void close() {
    if (prepared != null) {
      prepared.close();
      prepared = null;
      preparedPerImage = null;
    }
  }
}
