package org.conv4j.bench;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.OrtSession.SessionOptions;
import java.nio.FloatBuffer;
import java.util.Map;

/**
 * ONNX Runtime (CPU execution provider, MLAS) on the same ONNX model: intra-op threads = the thread count, one
 * inter-op thread, sequential execution, every graph optimisation on; everything else is ONNX Runtime's default.
 * A run is {@code session.run} on a tensor created once; its outputs stay in ONNX Runtime's memory (not copied to
 * Java), which is, if anything, in ONNX Runtime's favour.
 */
final class OrtEngine implements Engine {
  private final OrtEnvironment env = OrtEnvironment.getEnvironment();
  private final SessionOptions options;
  private final OrtSession session;
  private final String input;

  OrtEngine(Subject subject, int threads) throws Exception {
    options = settings(threads);
    try {
      session = subject.file() != null ? env.createSession(subject.file().toString(), options)
          : env.createSession(subject.bytes(), options);
    } catch (Exception e) {
      options.close();
      throw e;
    }
    input = session.getInputNames().iterator().next();
  }

  /** The session options every ONNX Runtime measurement uses. */
  static SessionOptions settings(int threads) throws OrtException {
    SessionOptions o = new SessionOptions();
    o.setIntraOpNumThreads(threads);
    o.setInterOpNumThreads(1);
    o.setExecutionMode(SessionOptions.ExecutionMode.SEQUENTIAL);
    o.setOptimizationLevel(SessionOptions.OptLevel.ALL_OPT);
    return o;
  }

  static String describeSettings() {
    return "ONNX Runtime " + OrtEnvironment.getEnvironment().getVersion() + " (Java API, CPU execution provider):"
        + " intra-op threads = threads, inter-op threads 1, SEQUENTIAL execution, ALL_OPT graph optimisations,"
        + " other options default";
  }

  @Override
  public Bound bind(float[] x, int[] shape) throws OrtException {
    long[] dims = new long[shape.length];
    for (int i = 0; i < shape.length; i++) dims[i] = shape[i];
    OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims);
    Map<String, OnnxTensor> feed = Map.of(input, tensor);
    return new Bound() {
      @Override
      public void run() throws OrtException {
        try (OrtSession.Result r = session.run(feed)) {
          // outputs are released with the result
        }
      }

      @Override
      public float[] output() throws OrtException {
        try (OrtSession.Result r = session.run(feed)) {
          FloatBuffer b = ((OnnxTensor) r.get(0)).getFloatBuffer();
          float[] out = new float[b.remaining()];
          b.get(out);
          return out;
        }
      }

      @Override
      public void close() {
        tensor.close();
      }
    };
  }

  @Override
  public void close() throws OrtException {
    try {
      session.close();
    } finally {
      options.close();
    }
  }
}
