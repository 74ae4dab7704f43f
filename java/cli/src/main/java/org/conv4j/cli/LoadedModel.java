package org.conv4j.cli;

import org.conv4j.Tensor;

/** A model prepared on one backend, as run and bench use it: weights packed once, then run many times. */
interface LoadedModel extends AutoCloseable {
  /** Display name: the zoo name or the file name. */
  String name();

  /** Shape of the input for a batch of the given size: [batch, C, H, W] for image models. */
  int[] inputShape(int batch);

  /** One inference; the input's shape must be an inputShape(batch) for some batch >= 1. */
  Tensor run(Tensor input);

  @Override
  void close();
}
