package org.conv4j.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.conv4j.Tensor;
import org.conv4j.backend.jni.NativeBackend;

/** Where the CLI tests find their inputs, and small helpers to make more. */
final class Fixtures {
  private Fixtures() {}

  /** A case directory of org.conv4j.onnx's fixtures: model.onnx, x.npy and (with a reference) y.npy. */
  static Path onnxCase(String name) {
    String dir = System.getProperty("conv4j.onnx.fixtures", "../core/src/test/resources/onnx");
    Path p = Path.of(dir, name);
    if (!Files.isDirectory(p)) throw new IllegalStateException("ONNX fixture " + p + " is missing");
    return p;
  }

  /** A file of java/core's test images. */
  static Path image(String name) {
    Path p = Path.of(System.getProperty("conv4j.onnx.fixtures", "../core/src/test/resources/onnx"))
        .resolveSibling("images").resolve(name);
    if (!Files.isRegularFile(p)) throw new IllegalStateException("image fixture " + p + " is missing");
    return p;
  }

  /** The backends this machine has, by name: "native" (when it loads) and "java". */
  static List<String> backends() {
    List<String> b = new ArrayList<>();
    if (NativeBackend.unavailableReason() == null) b.add("native");
    b.add("java");
    return b;
  }

  /** Writes t's values as a float64 .npy (which conv4j must refuse), header as numpy writes it. */
  static void writeFloat64Npy(Path file, Tensor t) throws IOException {
    StringBuilder dims = new StringBuilder();
    for (int i = 0; i < t.rank(); i++) dims.append(i == 0 ? "" : ", ").append(t.dim(i));
    if (t.rank() == 1) dims.append(',');
    String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (" + dims + "), }";
    int total = (10 + dict.length() + 1 + 63) / 64 * 64;
    String header = dict + " ".repeat(total - 10 - dict.length() - 1) + "\n";
    ByteBuffer pre = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
    pre.put(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0}).putShort((short) header.length());
    ByteBuffer data = ByteBuffer.allocate(8 * t.numel()).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : t.data()) data.putDouble(v);
    try (OutputStream out = Files.newOutputStream(file)) {
      out.write(pre.array());
      out.write(header.getBytes(StandardCharsets.ISO_8859_1));
      out.write(data.array());
    }
  }
}
