package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.io.InputStream;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.conv4j.Tensor;
import org.conv4j.io.Npy;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every single-output ONNX fixture of org.conv4j.onnx through `conv4j run`, end to end (file in, .npy out), on each
 * backend, against PyTorch's output (y.npy) or, where the torch 1.13 exporter is known to differ from PyTorch
 * (circular padding, ceil_mode pooling), against ONNX Runtime run here on the same file and input.
 */
class RunEveryOnnxFixtureTest {
  @TempDir Path tmp;

  static Stream<Arguments> cases() throws IOException {
    Path root = Fixtures.onnxCase("lenet5_op13").getParent();
    List<Arguments> out = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(root)) {
      for (Path dir : (Iterable<Path>) dirs.sorted()::iterator) {
        Properties p = props(dir);
        String ref = p.getProperty("reference", "none");
        if (ref.equals("none") || p.getProperty("outputs", "").contains(",")) continue; // error or multi-output
        for (String backend : Fixtures.backends()) out.add(Arguments.of(dir.getFileName().toString(), backend));
      }
    }
    if (out.size() < 2 * 14) fail("expected at least 14 single-output fixtures, found " + out.size() / 2);
    return out.stream();
  }

  private static Properties props(Path dir) throws IOException {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(dir.resolve("case.properties"))) {
      p.load(in);
    }
    return p;
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("cases")
  void runMatchesTheReference(String name, String backend) throws Exception {
    Path dir = Fixtures.onnxCase(name);
    Properties p = props(dir);
    Path y = tmp.resolve("y.npy");
    Cli r = Cli.run("run", "--model", dir.resolve("model.onnx").toString(), "--input",
        dir.resolve("x.npy").toString(), "--output", y.toString(), "--backend", backend);
    assertEquals(0, r.code(), r.toString());
    Tensor expected = p.getProperty("reference").equals("torch")
        ? Npy.read(dir.resolve("y.npy"))
        : onnxRuntime(dir.resolve("model.onnx"), Npy.read(dir.resolve("x.npy")));
    Tensor actual = Npy.read(y);
    assertArrayEquals(expected.shape(), actual.shape(), name + ": output shape");
    // Float32 error bound of the model's longest chain of dot products (terms, recorded by the fixture script),
    // scaled by the output magnitude; doubled for ONNX Runtime, whose reference is float32 too (as ModelTolerance).
    double maxAbs = 1;
    for (float v : expected.data()) maxAbs = Math.max(maxAbs, Math.abs(v));
    double u = 0x1p-24;
    double tol = u * (Long.parseLong(p.getProperty("terms", "0")) + 64) * maxAbs
        * (p.getProperty("reference").equals("torch") ? 1 : 2);
    for (int i = 0; i < expected.numel(); i++) {
      if (!(Math.abs(expected.data()[i] - actual.data()[i]) <= tol)) {
        fail(name + " on " + backend + ": element " + i + " expected " + expected.data()[i] + " but was "
            + actual.data()[i] + " (tol " + tol + ")");
      }
    }
  }

  private static Tensor onnxRuntime(Path model, Tensor x) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
      // No graph optimisations, so each op runs as the ONNX spec defines it: with them, ORT 1.23 rewrites
      // ceil_mode average pooling into its NCHWc kernel, whose edge divisors differ (x1.5 on the last window).
      opts.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.NO_OPT);
      return run(env, env.createSession(model.toString(), opts), x);
    }
  }

  private static Tensor run(OrtEnvironment env, OrtSession owned, Tensor x) throws Exception {
    try (OrtSession session = owned) {
      long[] shape = Arrays.stream(x.shape()).asLongStream().toArray();
      String input = session.getInputNames().iterator().next();
      try (OnnxTensor in = OnnxTensor.createTensor(env, FloatBuffer.wrap(x.data()), shape);
          OrtSession.Result result = session.run(Map.of(input, in))) {
        OnnxTensor out = (OnnxTensor) result.get(0);
        long[] os = out.getInfo().getShape();
        FloatBuffer fb = out.getFloatBuffer();
        float[] data = new float[fb.remaining()];
        fb.get(data);
        return Tensor.of(data, Arrays.stream(os).mapToInt(Math::toIntExact).toArray());
      }
    }
  }
}
