package org.conv4j.onnx;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.conv4j.Tensor;
import org.conv4j.io.Npy;

/**
 * One fixture directory written by src/test/python/gen_onnx_fixtures.py: model.onnx, x.npy, y.npy (PyTorch's
 * output, when reference=torch) and case.properties.
 */
record OnnxCase(String name, Path dir, Properties props) {
  /** The committed fixtures (test classpath resources/onnx). */
  static Path smallRoot() {
    URL url = OnnxCase.class.getResource("/onnx");
    if (url == null || !"file".equals(url.getProtocol())) {
      throw new IllegalStateException("onnx fixtures are not a directory on the test classpath: " + url);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The git-ignored torchvision exports (gen_onnx_fixtures.py --big), relative to the repository root. */
  static Path bigRoot() {
    Path p = smallRoot();
    // target/test-classes/onnx -> java/core -> repository root
    Path core = p.getParent().getParent().getParent();
    return core.getParent().getParent().resolve("bench/fixtures-big/onnx");
  }

  /** Every case under root whose reference is torch or onnxruntime (models that must import and run). */
  static List<OnnxCase> runnable(Path root) {
    if (!Files.isDirectory(root)) return List.of();
    try (Stream<Path> dirs = Files.list(root)) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("case.properties"))).sorted().map(OnnxCase::load)
          .filter(c -> !c.reference().equals("none")).collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static OnnxCase named(String name) {
    return load(smallRoot().resolve(name));
  }

  private static OnnxCase load(Path dir) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(dir.resolve("case.properties"))) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new OnnxCase(dir.getFileName().toString(), dir, p);
  }

  Path model() {
    return dir.resolve("model.onnx");
  }

  String reference() {
    return props.getProperty("reference");
  }

  List<String> outputs() {
    return Arrays.asList(props.getProperty("outputs").split(","));
  }

  Tensor x() {
    return npy("x");
  }

  Tensor y() {
    return npy("y");
  }

  private Tensor npy(String key) {
    try {
      return Npy.read(dir.resolve(key + ".npy"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return name;
  }
}
