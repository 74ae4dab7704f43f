package org.conv4j.bench;

/** A model loaded by one engine at one thread count, ready to be bound to inputs of any batch size. */
interface Engine extends AutoCloseable {
  /** A runner of this model on input x of the given shape ([batch, C, H, W]); x must not change while bound. */
  Bound bind(float[] x, int[] shape) throws Exception;

  @Override
  void close() throws Exception;

  /** The model bound to one input. */
  interface Bound extends Alternation.Run, AutoCloseable {
    /** Runs once and returns a copy of the first output, flattened. */
    float[] output() throws Exception;

    @Override
    default void close() throws Exception {}
  }
}
