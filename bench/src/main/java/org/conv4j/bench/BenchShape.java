package org.conv4j.bench;

import org.conv4j.backend.Backend;
import org.conv4j.backend.Plan;

/**
 * A named layer shape a benchmark runs on one image: what it is, how to prepare it, and the floating-point work
 * of one run, so that a measured time becomes GFLOP/s. Convolutions and linear layers count 2 FLOPs per
 * multiply-add; poolings count one per window element read.
 */
public interface BenchShape {
  /** Human-readable layer, e.g. "ResNet-18 layer1 3x3 64->64 @56". */
  String layer();

  /** Floating-point operations of one run with batch 1. */
  long flops();

  /** A plan for this shape on the backend, with random weights packed once. */
  Plan prepare(Backend backend);
}
