package org.conv4j.bench;

import org.conv4j.Tensor;
import org.conv4j.backend.Backend;
import org.conv4j.graph.PreparedModel;
import org.conv4j.onnx.OnnxModel;

/** conv4j: the imported ONNX model prepared on one backend (native or Java) once; runs write into one tensor. */
final class Conv4jEngine implements Engine {
  private final PreparedModel model;

  /** Prepares for batch 1; other batch sizes compile lazily on first bind (kernel plans are shared). */
  Conv4jEngine(OnnxModel onnx, Backend backend, int[] perImage) {
    int[] shape = new int[perImage.length + 1];
    shape[0] = 1;
    System.arraycopy(perImage, 0, shape, 1, perImage.length);
    model = onnx.prepare(backend, shape);
  }

  @Override
  public Bound bind(float[] x, int[] shape) {
    Tensor in = Tensor.of(x, shape);
    Tensor out = Tensor.zeros(model.outputShape(0, shape[0]));
    return new Bound() {
      @Override
      public void run() {
        model.run(in, out);
      }

      @Override
      public float[] output() {
        model.run(in, out);
        return out.data().clone();
      }
    };
  }

  @Override
  public void close() {
    model.close();
  }
}
