package org.conv4j.bench;

import java.util.List;

/**
 * One row of the side-by-side report: an ONNX model run at one batch size. perImage is the input shape without the
 * batch ([C, H, W]); flopsPerImage counts 2 per multiply-add of the convolutions and linear layers as written (direct
 * convolution; no Winograd or FFT discount), or for pooling one per window element read.
 */
record Workload(Section section, String label, String chartLabel, int[] perImage, int batch, long flopsPerImage,
    List<Target> targets) {
  /** The report's sections, in order. */
  enum Section {
    MODELS("Whole models"),
    KERNELS("Single layers (one-node ONNX models, batch 1)");

    final String title;

    Section(String title) {
      this.title = title;
    }
  }

  Workload {
    perImage = perImage.clone();
    targets = List.copyOf(targets);
    if (batch < 1) throw new IllegalArgumentException("batch must be >= 1, got " + batch);
  }

  /** The input shape of a run: [batch, perImage...]. */
  int[] inputShape() {
    int[] s = new int[perImage.length + 1];
    s[0] = batch;
    System.arraycopy(perImage, 0, s, 1, perImage.length);
    return s;
  }

  /** The target of a metric, or null. */
  Target target(Target.Metric metric) {
    for (Target t : targets) if (t.metric() == metric) return t;
    return null;
  }
}
