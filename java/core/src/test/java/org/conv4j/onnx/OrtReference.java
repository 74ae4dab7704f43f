package org.conv4j.onnx;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.conv4j.Tensor;

/**
 * Runs a model in ONNX Runtime (no graph optimizations, so each op runs as the ONNX spec defines it): the
 * reference where PyTorch's exporter wrote a graph that differs from PyTorch, or where PyTorch wrote no model.
 */
final class OrtReference {
  private OrtReference() {}

  static List<Tensor> run(Path model, String inputName, List<String> outputs, Tensor x) throws OrtException {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
      o.setIntraOpNumThreads(1);
      long[] shape = new long[x.rank()];
      for (int i = 0; i < shape.length; i++) shape[i] = x.dim(i);
      try (OrtSession s = env.createSession(model.toString(), o);
          OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), shape);
          OrtSession.Result r = s.run(Map.of(inputName, in))) {
        List<Tensor> out = new ArrayList<>();
        for (String name : outputs) {
          OnnxTensor t = (OnnxTensor) r.get(name).orElseThrow();
          long[] ls = t.getInfo().getShape();
          int[] is = new int[ls.length];
          for (int i = 0; i < is.length; i++) is[i] = (int) ls[i];
          FloatBuffer fb = t.getFloatBuffer();
          float[] data = new float[fb.remaining()];
          fb.get(data);
          out.add(Tensor.of(data, is));
        }
        return out;
      }
    }
  }
}
