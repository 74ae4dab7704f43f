package org.conv4j.cli;

import java.util.Arrays;
import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.graph.PreparedModel;

/**
 * A model on one backend: prepared (weights packed, plans made) before the first run, prepared again only if a
 * later input has other per-image dimensions (a prepared model runs any batch size itself).
 */
final class ModelSession implements AutoCloseable {
  private final ModelSource source;
  private final Backend backend;
  private PreparedModel prepared;
  private int[] preparedPerImage;

  ModelSession(ModelSource source, Backend backend) {
    this.source = source;
    this.backend = backend;
  }

  String name() {
    return source.name();
  }

  int[] inputShape(int batch) {
    return source.inputShape(batch);
  }

  /** Prepares for inputs of this shape unless already prepared for its per-image dimensions. */
  void prepare(int[] shape) {
    int[] perImage = Arrays.copyOfRange(shape, 1, shape.length);
    if (prepared != null && Arrays.equals(perImage, preparedPerImage)) return;
    close();
    prepared = source.prepare(backend, shape);
    preparedPerImage = perImage;
  }

  /** One inference; prepares first when needed. */
  Tensor run(Tensor x) {
    prepare(x.shape());
    return prepared.run(x);
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
