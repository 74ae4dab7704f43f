package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.conv4j.backend.jni.NativeBackend;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The command line's contract that needs no model: info, help, and one-line errors with exit code 2. */
class MainTest {
  @TempDir Path tmp;

  /** Exit 2, exactly one line on stderr, containing every fragment, and no stack trace. */
  static void assertUserError(Cli r, String... fragments) {
    assertEquals(2, r.code(), r.toString());
    String[] lines = r.errLines();
    assertEquals(1, lines.length, "one line on stderr: " + r);
    for (String f : fragments) assertTrue(lines[0].contains(f), "stderr should contain \"" + f + "\": " + r);
    assertTrue(!r.err().contains("\tat "), "no stack trace: " + r);
  }

  @Test
  void infoReportsVersionBackendCpuOpenBlasAndThreads() {
    Cli r = Cli.run("info");
    assertEquals(0, r.code(), r.toString());
    String out = r.out();
    assertTrue(out.contains("conv4j:") && out.contains("0.1.0"), out);
    String expectedBackend = NativeBackend.unavailableReason() == null ? "native" : "java";
    assertTrue(out.contains("backend (auto):   " + expectedBackend + ": "), out);
    assertTrue(out.matches("(?s).*CPU features: +AVX2 (yes|no|unknown), FMA (yes|no|unknown).*"), out);
    assertTrue(out.matches("(?s).*OpenBLAS: +OpenBLAS 0\\.3\\.\\d+.*"), out);
    assertTrue(out.matches("(?s).*conv4j threads: .*java \\d+.*"), out);
    if (NativeBackend.unavailableReason() == null) {
      // conv4j keeps OpenBLAS single-threaded; info must show the real count read from the library
      assertTrue(out.matches("(?s).*OpenBLAS threads: 1 .*"), out);
    }
  }

  @Test
  void helpForEveryCommandAndOverview() {
    for (String c : new String[] {"info", "run", "bench"}) {
      Cli r = Cli.run(c, "--help");
      assertEquals(0, r.code(), r.toString());
      assertTrue(r.out().startsWith("usage: conv4j " + c), r.out());
      assertEquals("", r.err());
      assertEquals(r.out(), Cli.run("help", c).out());
    }
    Cli all = Cli.run("--help");
    assertEquals(0, all.code());
    assertTrue(all.out().contains("info") && all.out().contains("run") && all.out().contains("bench"), all.out());
    assertTrue(Cli.run("--version").out().startsWith("conv4j 0.1.0"));
  }

  @Test
  void noCommandAndUnknownCommand() {
    assertUserError(Cli.run(), "no command given");
    assertUserError(Cli.run("train"), "unknown command \"train\"");
    assertUserError(Cli.run("help", "train"), "unknown command \"train\"");
  }

  @Test
  void badFlagValues() {
    assertUserError(Cli.run("bench", "--backend", "gpu"), "--backend must be all, native, java or auto",
        "\"gpu\"");
    assertUserError(Cli.run("run", "--model", "m.onnx", "--input", "x.npy", "--output", "y.npy",
        "--backend", "cuda"), "--backend must be auto, native or java", "\"cuda\"");
    assertUserError(Cli.run("bench", "--threads", "0"), "--threads must be >= 1, got 0");
    assertUserError(Cli.run("bench", "--iters", "many"), "--iters must be an integer", "\"many\"");
    assertUserError(Cli.run("bench", "--max-time", "-1"), "--max-time must be a number >= 0");
    assertUserError(Cli.run("bench", "--zoo", "alexnet"), "unknown model \"alexnet\"", "ResNet-18");
    assertUserError(Cli.run("bench", "--zoo", "lenet5,"), "--zoo has an empty item");
    assertUserError(Cli.run("run", "--model", "m.onnx", "--input", "x.npy", "--output", "y.npy",
        "--layout", "chw"), "--layout must be nchw or nhwc");
  }

  @Test
  void badFlags() {
    assertUserError(Cli.run("bench", "--frobnicate"), "unknown flag --frobnicate for bench", "--iters");
    assertUserError(Cli.run("bench", "--iters"), "--iters needs a value");
    assertUserError(Cli.run("bench", "--json=yes"), "--json takes no value");
    assertUserError(Cli.run("bench", "--iters", "3", "--iters", "4"), "--iters is given twice");
    assertUserError(Cli.run("info", "extra"), "unexpected argument \"extra\"");
    assertUserError(Cli.run("run", "--input", "x.npy"), "run needs --model");
    assertUserError(Cli.run("run", "--model", "m.onnx"), "needs --input or --image");
    assertUserError(Cli.run("run", "--model", "m.onnx", "--input", "x.npy", "--image", "i.png"),
        "--input or --image, not both");
    assertUserError(Cli.run("run", "--model", "m.onnx", "--input", "x.npy"), "run needs --output");
    assertUserError(Cli.run("bench", "--input", "x.npy"), "--input needs --model");
  }

  @Test
  void missingFiles() throws Exception {
    Path x = Files.createFile(tmp.resolve("x.npy"));
    assertUserError(Cli.run("run", "--model", tmp.resolve("none.onnx").toString(), "--input", x.toString(),
        "--output", tmp.resolve("y.npy").toString()), "--model", "none.onnx: no such file");
    Path m = Files.createFile(tmp.resolve("m.onnx"));
    assertUserError(Cli.run("run", "--model", m.toString(), "--input", tmp.resolve("nothing.npy").toString(),
        "--output", tmp.resolve("y.npy").toString()), "--input", "nothing.npy: no such file");
    assertUserError(Cli.run("run", "--model", m.toString(), "--input", x.toString(),
        "--output", tmp.resolve("no/such/dir/y.npy").toString()), "--output", "does not exist");
    assertUserError(Cli.run("run", "--model", m.toString(), "--image", tmp.toString()), "--image",
        "not a regular file");
    assertUserError(Cli.run("bench", "--model", tmp.resolve("gone.onnx").toString()), "gone.onnx: no such file");
  }

  @ParameterizedTest
  @ValueSource(strings = {"--verbose"})
  void verbosePrintsTheStackTraceAfterTheLine(String flag) {
    Cli r = Cli.run("bench", flag, "--threads", "x");
    assertEquals(2, r.code());
    assertTrue(r.errLines()[0].startsWith("conv4j bench: --threads must be an integer"), r.toString());
    assertTrue(r.err().contains("\tat org.conv4j.cli."), r.toString());
  }
}
