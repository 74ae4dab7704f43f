package org.conv4j.golden;

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
 * One fixture directory written by src/test/python/gen_kernel_fixtures.py: case.properties (op and every
 * parameter) and the .npy tensors x, w, b, r, y. Missing keys are test-setup errors naming the case and key.
 */
record GoldenCase(String name, Path dir, Properties props) {
  /** Every case under golden/kernels on the test classpath (a directory: tests run from target/test-classes). */
  static List<GoldenCase> all() {
    URL url = GoldenCase.class.getResource("/golden/kernels");
    if (url == null || !"file".equals(url.getProtocol())) {
      throw new IllegalStateException("golden/kernels is not a directory on the test classpath: " + url);
    }
    try (Stream<Path> dirs = Files.list(Path.of(url.toURI()))) {
      List<GoldenCase> cases = dirs.filter(Files::isDirectory).sorted().map(GoldenCase::load)
          .collect(Collectors.toList());
      if (cases.isEmpty()) throw new IllegalStateException("no golden cases under " + url);
      return cases;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static GoldenCase load(Path dir) {
    Properties p = new Properties();
    try (InputStream in = Files.newInputStream(dir.resolve("case.properties"))) {
      p.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new GoldenCase(dir.getFileName().toString(), dir, p);
  }

  String op() {
    return str("op");
  }

  boolean expectError() {
    return Boolean.parseBoolean(props.getProperty("expect_error", "false"));
  }

  String str(String key) {
    String v = props.getProperty(key);
    if (v == null) throw new IllegalStateException(name + ": case.properties lacks " + key);
    return v;
  }

  int integer(String key) {
    return Integer.parseInt(str(key));
  }

  int[] ints(String key) {
    return Arrays.stream(str(key).split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
  }

  boolean bool(String key) {
    return Boolean.parseBoolean(str(key));
  }

  float flt(String key) {
    return Float.parseFloat(str(key));
  }

  double dbl(String key) {
    return Double.parseDouble(str(key));
  }

  int[] inputShape() {
    return ints("input_shape");
  }

  boolean has(String tensor) {
    return Files.exists(dir.resolve(tensor + ".npy"));
  }

  /** Reads x, w, b, r or y; its shape is checked by the callers against the spec. */
  Tensor tensor(String tensor) {
    try {
      return Npy.read(dir.resolve(tensor + ".npy"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The tensor's data, or null when the case has no such file (no bias, no residual). */
  float[] dataOrNull(String tensor) {
    return has(tensor) ? tensor(tensor).data() : null;
  }

  @Override
  public String toString() {
    return name + " " + str("torch");
  }
}
