package org.conv4j.cli;

import static org.conv4j.cli.MainTest.assertUserError;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.conv4j.Tensor;
import org.conv4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** conv4j run on ONNX models exported by torch (org.conv4j.onnx's fixtures), and its error cases. */
class RunCommandTest {
  /**
   * Both backends are within 2e-8 of torch on this model, whose outputs are about 0.1: a mixed-up layout, batch
   * item or output would be off by about |y|.
   */
  private static final double TOL = 1e-6;

  @TempDir Path tmp;

  private final Path squeeze = Fixtures.onnxCase("tiny_squeeze_op13");
  private final Path model = squeeze.resolve("model.onnx");
  private final Path x = squeeze.resolve("x.npy");

  static List<String> backends() {
    return Fixtures.backends();
  }

  private static void assertClose(Tensor expected, Tensor actual) {
    assertArrayEquals(expected.shape(), actual.shape(), "shape");
    for (int i = 0; i < expected.numel(); i++) {
      if (!(Math.abs(expected.data()[i] - actual.data()[i]) <= TOL)) {
        fail("element " + i + ": expected " + expected.data()[i] + " but was " + actual.data()[i]);
      }
    }
  }

  @ParameterizedTest
  @MethodSource("backends")
  void writesTheOutputTorchComputed(String backend) throws Exception {
    Path y = tmp.resolve("y.npy");
    Cli r = Cli.run("run", "--model", model.toString(), "--input", x.toString(), "--output", y.toString(),
        "--backend", backend, "--threads", "2");
    assertEquals(0, r.code(), r.toString());
    assertEquals("", r.err());
    assertTrue(r.out().matches("model\\.onnx on " + backend + " \\(2 threads\\): input \\[2, 3, 40, 40\\] -> "
        + "output \\[2, 10\\] in [0-9.]+ ms, wrote .*y\\.npy\\R"), r.out());
    assertClose(Npy.read(squeeze.resolve("y.npy")), Npy.read(y));
  }

  @Test
  void nhwcInputGivesTheSameOutput() throws Exception {
    Tensor nchw = Npy.read(x);
    int n = nchw.dim(0), c = nchw.dim(1), h = nchw.dim(2), w = nchw.dim(3);
    float[] d = new float[nchw.numel()];
    for (int i = 0; i < n; i++) {
      for (int ch = 0; ch < c; ch++) {
        for (int p = 0; p < h * w; p++) d[(i * h * w + p) * c + ch] = nchw.data()[(i * c + ch) * h * w + p];
      }
    }
    Path xNhwc = tmp.resolve("x_nhwc.npy");
    Npy.write(xNhwc, Tensor.of(d, n, h, w, c));
    Path y = tmp.resolve("y.npy");
    Cli r = Cli.run("run", "--model", model.toString(), "--input", xNhwc.toString(), "--output", y.toString(),
        "--layout", "nhwc");
    assertEquals(0, r.code(), r.toString());
    assertTrue(r.out().contains("input [2, 40, 40, 3] -> output [2, 10]"), r.out());
    assertClose(Npy.read(squeeze.resolve("y.npy")), Npy.read(y));
  }

  @Test
  void imagePrintsTheTopFiveOfTheOutput() throws Exception {
    Path y = tmp.resolve("y.npy");
    Cli r = Cli.run("run", "--model", model.toString(), "--image", Fixtures.image("rgb_40x30.png").toString(),
        "--output", y.toString());
    assertEquals(0, r.code(), r.toString());
    String[] lines = r.out().split("\\R");
    assertTrue(lines[0].contains("input [1, 3, 224, 224] -> output [1, 10]"), r.out());
    assertEquals("rank  class  score", lines[1]);
    assertEquals(7, lines.length, r.out());
    float[] scores = Npy.read(y).data();
    List<Integer> printed = new ArrayList<>();
    for (int k = 0; k < 5; k++) {
      String[] f = lines[2 + k].trim().split("\\s+");
      assertEquals(Integer.toString(k + 1), f[0]);
      int cls = Integer.parseInt(f[1]);
      printed.add(cls);
      assertEquals(scores[cls], Float.parseFloat(f[2]), 1e-5 * Math.max(1, Math.abs(scores[cls])));
    }
    // the printed classes are the five highest scores, best first
    Integer[] order = new Integer[scores.length];
    for (int i = 0; i < order.length; i++) order[i] = i;
    Arrays.sort(order, (a, b) -> scores[a] != scores[b] ? Float.compare(scores[b], scores[a]) : a - b);
    assertEquals(Arrays.asList(order).subList(0, 5), printed);
  }

  @Test
  void corruptOnnx() {
    Path truncated = Fixtures.onnxCase("truncated").resolve("model.onnx");
    assertUserError(Cli.run("run", "--model", truncated.toString(), "--input", x.toString(), "--output",
        tmp.resolve("y.npy").toString()), "model.onnx", "truncated or corrupt");
    assertTrue(!Files.exists(tmp.resolve("y.npy")), "no output on failure");
  }

  @Test
  void notAnOnnxFileAtAll() throws Exception {
    Path text = Files.writeString(tmp.resolve("model.onnx"), "hello, I am not protobuf\n");
    Cli r = Cli.run("run", "--model", text.toString(), "--input", x.toString(), "--output",
        tmp.resolve("y.npy").toString());
    assertUserError(r, "model.onnx");
  }

  @Test
  void unsupportedOperator() {
    Path dir = Fixtures.onnxCase("unsupported_op13");
    assertUserError(Cli.run("run", "--model", dir.resolve("model.onnx").toString(), "--input",
        dir.resolve("x.npy").toString(), "--output", tmp.resolve("y.npy").toString()),
        "unsupported operators", "Resize");
  }

  @Test
  void wrongNpyDtype() throws Exception {
    Path f64 = tmp.resolve("x_f64.npy");
    Fixtures.writeFloat64Npy(f64, Npy.read(x));
    assertUserError(Cli.run("run", "--model", model.toString(), "--input", f64.toString(), "--output",
        tmp.resolve("y.npy").toString()), "x_f64.npy", "'<f8'", "float32");
  }

  @Test
  void notAnNpyFile() {
    assertUserError(Cli.run("run", "--model", model.toString(), "--input", model.toString(), "--output",
        tmp.resolve("y.npy").toString()), "not a .npy file");
  }

  @Test
  void wrongInputShape() throws Exception {
    Path four = tmp.resolve("x4.npy");
    Npy.write(four, Tensor.zeros(2, 4, 40, 40));
    assertUserError(Cli.run("run", "--model", model.toString(), "--input", four.toString(), "--output",
        tmp.resolve("y.npy").toString()), "input shape [2, 4, 40, 40] has 4 channels", "takes 3",
        "[N, 3, 40, 40] (NCHW)");
    Path rank3 = tmp.resolve("x3.npy");
    Npy.write(rank3, Tensor.zeros(3, 40, 40));
    assertUserError(Cli.run("run", "--model", model.toString(), "--input", rank3.toString(), "--output",
        tmp.resolve("y.npy").toString()), "input shape [3, 40, 40] has rank 3", "takes rank 4");
    // NHWC declared but the file is NCHW: 40 channels
    assertUserError(Cli.run("run", "--model", model.toString(), "--input", x.toString(), "--output",
        tmp.resolve("y.npy").toString(), "--layout", "nhwc"), "has 40 channels", "[N, 40, 40, 3] (NHWC)");
  }

  @Test
  void badBackendAndUnreadableImage() throws Exception {
    assertUserError(Cli.run("run", "--model", model.toString(), "--input", x.toString(), "--output",
        tmp.resolve("y.npy").toString(), "--backend", "gpu"), "--backend must be auto, native or java", "\"gpu\"");
    Path notImage = Files.writeString(tmp.resolve("cat.jpg"), "meow");
    assertUserError(Cli.run("run", "--model", model.toString(), "--image", notImage.toString()), "cat.jpg",
        "not an image");
  }
}
