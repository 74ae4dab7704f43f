package org.conv4j.bench;

/**
 * One measured configuration: a family's shape on a backend with a thread count, its median single-run time and
 * the number of timed runs behind it. algorithm is the conv2d algorithm the plan chose, or "" for other kernels.
 */
public record ResultRow(
    String family, BenchShape shape, String backend, int threads, double medianMicros, long samples,
    String algorithm) {
  public ResultRow {
    if (!(medianMicros > 0)) throw new IllegalArgumentException("medianMicros must be > 0, got " + medianMicros);
  }

  /** flops / seconds / 1e9, from the median time. */
  public double gflops() {
    return shape.flops() / (medianMicros * 1e3);
  }
}
