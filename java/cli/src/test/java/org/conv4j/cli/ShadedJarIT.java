package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.conv4j.Tensor;
import org.conv4j.io.Npy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded target/conv4j.jar run as a user runs it: {@code java -jar conv4j.jar ...} in a fresh JVM, from
 * another directory, with no flags; the JNI library and OpenBLAS must load from inside the jar.
 */
class ShadedJarIT {
  @TempDir Path workDir;

  private record Result(int code, String out, String err) {}

  private Result java(String... args) throws IOException, InterruptedException {
    return java(List.of(), args);
  }

  private Result java(List<String> jvmArgs, String... args) throws IOException, InterruptedException {
    Path jar = Path.of(System.getProperty("conv4j.jar", "target/conv4j.jar")).toAbsolutePath();
    assertTrue(Files.isRegularFile(jar), "the shaded jar exists: " + jar);
    List<String> cmd = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        // a fresh JavaCPP cache: the natives are unpacked from this jar, not found from an earlier run
        "-Dorg.bytedeco.javacpp.cachedir=" + workDir.resolve("cache")));
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-jar", jar.toString()));
    cmd.addAll(Arrays.asList(args));
    Path out = workDir.resolve("out.txt"), err = workDir.resolve("err.txt");
    Process p = new ProcessBuilder(cmd).directory(workDir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), "finished in 2 minutes");
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @Test
  void infoLoadsTheNativeLibraryAndOpenBlasFromTheJar() throws Exception {
    Result r = java("info");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("backend (auto):   native: native library loaded"), r.out());
    assertTrue(r.out().matches("(?s).*OpenBLAS: +OpenBLAS 0\\.3\\.\\d+ .*"), r.out());
    assertTrue(r.out().contains("OpenBLAS core:"), "runtime OpenBLAS facts, not the fallback: " + r.out());
  }

  @Test
  void runsAnOnnxModelFromTheJar() throws Exception {
    Path dir = Fixtures.onnxCase("tiny_squeeze_op13");
    Result r = java("run", "--model", dir.resolve("model.onnx").toString(), "--input",
        dir.resolve("x.npy").toString(), "--output", "y.npy");
    assertEquals(0, r.code(), r.err());
    assertEquals("", r.err());
    Tensor y = Npy.read(workDir.resolve("y.npy")), expected = Npy.read(dir.resolve("y.npy"));
    assertArrayEquals(expected.shape(), y.shape());
    for (int i = 0; i < y.numel(); i++) assertEquals(expected.data()[i], y.data()[i], 1e-6, "element " + i);
  }

  @Test
  void withoutTheNativeLibraryAutoSaysItUsesJavaAndNativeIsAnError() throws Exception {
    Path dir = Fixtures.onnxCase("tiny_squeeze_op13");
    List<String> noNative = List.of("-Dconv4j.native.disable=true");
    Result auto = java(noNative, "run", "--model", dir.resolve("model.onnx").toString(), "--input",
        dir.resolve("x.npy").toString(), "--output", "y.npy");
    assertEquals(0, auto.code(), auto.err());
    assertEquals("conv4j: using the Java backend because the system property conv4j.native.disable is true\n",
        auto.err());
    assertTrue(auto.out().startsWith("model.onnx on java"), auto.out());
    Result nat = java(noNative, "run", "--model", dir.resolve("model.onnx").toString(), "--input",
        dir.resolve("x.npy").toString(), "--output", "y.npy", "--backend", "native");
    assertEquals(2, nat.code());
    assertEquals("conv4j run: the native backend is unavailable: the system property conv4j.native.disable is "
        + "true\n", nat.err());
  }

  @Test
  void aBadCommandExitsTwoWithOneLine() throws Exception {
    Result r = java("bench", "--backend", "tpu");
    assertEquals(2, r.code());
    assertEquals("conv4j bench: --backend must be all, native, java or auto, got \"tpu\"\n", r.err());
    assertEquals("", r.out());
  }
}
