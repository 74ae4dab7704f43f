package org.conv4j.onnx;

import static org.conv4j.onnx.ProtoModels.i;
import static org.conv4j.onnx.ProtoModels.int64;
import static org.conv4j.onnx.ProtoModels.ints;
import static org.conv4j.onnx.ProtoModels.model;
import static org.conv4j.onnx.ProtoModels.node;
import static org.conv4j.onnx.ProtoModels.tensor;
import static org.conv4j.onnx.ProtoModels.value;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.conv4j.Tensor;
import org.conv4j.backend.Backends;
import org.conv4j.graph.PreparedModel;
import org.conv4j.onnx.proto.OnnxProto.ModelProto;
import org.conv4j.onnx.proto.OnnxProto.StringStringEntryProto;
import org.conv4j.onnx.proto.OnnxProto.TensorProto;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What loading reports for unsupported, corrupt and truncated models, and the model's declared metadata. */
class OnnxModelErrorsTest {
  private static final List<String> X = List.of("x");
  private static final List<String> Y = List.of("y");

  private static void assertMentions(Throwable e, String... parts) {
    for (String p : parts) {
      assertTrue(e.getMessage().contains(p), () -> "message lacks \"" + p + "\":\n" + e.getMessage());
    }
  }

  @Test
  void unsupportedModelListsEveryOpTypeAndNodeInOneError() {
    Path f = OnnxCase.named("unsupported_op13").model();
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxModel.load(f));
    assertMentions(e, f.toString(), "unsupported operators", "Abs (node /Abs)", "Erf (node /Erf)",
        "Resize (nodes /Resize, /Resize_1)");
  }

  @Test
  void truncatedFixtureIsAFormatErrorNamingTheFile() {
    Path f = OnnxCase.named("truncated").model();
    OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxModel.load(f));
    assertMentions(e, f.toString(), "truncated or corrupt");
    assertInstanceOf(InvalidProtocolBufferException.class, e.getCause());
  }

  @Test
  void everyTruncationOfAValidModelIsAFormatError() throws IOException {
    byte[] full = Files.readAllBytes(OnnxCase.named("lenet5_op13").model());
    for (int k = 0; k < 40; k++) {
      int len = (int) ((long) full.length * k / 40);
      byte[] cut = Arrays.copyOf(full, len);
      OnnxFormatException e = assertThrows(OnnxFormatException.class, () -> OnnxModel.load(cut, "cut" + len),
          "a prefix of " + len + " of " + full.length + " bytes");
      assertMentions(e, "cut" + len);
    }
  }

  @Test
  void corruptAndEmptyFilesAreFormatErrors(@TempDir Path dir) throws IOException {
    Path text = Files.writeString(dir.resolve("notes.onnx"), "this is not an onnx model", StandardCharsets.UTF_8);
    assertMentions(assertThrows(OnnxFormatException.class, () -> OnnxModel.load(text)), "notes.onnx", "corrupt");
    Path empty = Files.write(dir.resolve("empty.onnx"), new byte[0]);
    assertMentions(assertThrows(OnnxFormatException.class, () -> OnnxModel.load(empty)), "empty.onnx", "no graph");
    assertThrows(IOException.class, () -> OnnxModel.load(dir.resolve("missing.onnx")));
  }

  private static ModelProto relu(int opset) {
    return model(opset, List.of(value("x", 1, 1, 1, 4, 4)), List.of(value("y", 1)), List.of(),
        node("Relu", "r", X, Y));
  }

  @Test
  void missingOrUnsupportedOpsetIsReported() {
    ModelProto noOpset = relu(13).toBuilder().clearOpsetImport().build();
    assertMentions(assertThrows(OnnxFormatException.class, () -> OnnxModel.load(noOpset.toByteArray(), "m")),
        "opset_import");
    for (int opset : new int[] {5, 22}) {
      assertMentions(assertThrows(IllegalArgumentException.class,
          () -> OnnxModel.load(relu(opset).toByteArray(), "m")), "opset " + opset, "7 to 21");
    }
  }

  @Test
  void inputsMustBeOneFloatTensor() {
    ModelProto two = model(13, List.of(value("a", 1, 1, 2), value("b", 1, 1, 2)), List.of(value("y", 1)),
        List.of(), node("Add", "add", List.of("a", "b"), Y));
    assertMentions(assertThrows(IllegalArgumentException.class, () -> OnnxModel.load(two.toByteArray(), "m")),
        "2 inputs [a, b]", "exactly one input");
    ModelProto ints = model(13, List.of(value("x", 7, 1, 2)), List.of(value("y", 7)), List.of(),
        node("Relu", "r", X, Y));
    assertMentions(assertThrows(IllegalArgumentException.class, () -> OnnxModel.load(ints.toByteArray(), "m")),
        "INT64", "float32");
  }

  @Test
  void externalDataIsRefusedExplicitly() {
    TensorProto w = TensorProto.newBuilder().setName("w").setDataType(1).addDims(2)
        .setDataLocation(TensorProto.DataLocation.EXTERNAL)
        .addExternalData(StringStringEntryProto.newBuilder().setKey("location").setValue("weights.bin")).build();
    ModelProto m = model(13, List.of(value("x", 1, 1, 2)), List.of(value("y", 1)), List.of(w),
        node("Add", "add", List.of("x", "w"), Y));
    assertMentions(assertThrows(IllegalArgumentException.class, () -> OnnxModel.load(m.toByteArray(), "ext.onnx")),
        "ext.onnx", "initializer w", "external file (weights.bin)", "not supported");
  }

  @Test
  void everyProblemIsListedTogether() {
    TensorProto w3 = ProtoModels.floats("w3", new int[] {1, 1, 3}, 1, 2, 3);
    ModelProto m = model(13, List.of(value("x", 1, 1, 1, 4, 4)), List.of(value("y", 1)), List.of(w3, int64("i", 0)),
        node("Gather", "gather", List.of("x", "i"), List.of("g"), i("axis", 2)),
        node("Conv", "conv1d", List.of("g", "w3"), List.of("c")),
        node("Det", "det", List.of("x"), List.of("d")),
        node("HardSwish", "hs", List.of("d"), List.of("h")),
        node("Add", "sum", List.of("c", "h"), Y),
        node("Erf", "dead", X, List.of("unused")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> OnnxModel.load(m.toByteArray(), "m"));
    assertMentions(e, "Det (node det)", "HardSwish (node hs)", "node gather (Gather): Gather is supported only on constant");
    // the conv reads the failed gather's output: not reported again; the dead Erf is not converted at all
    assertTrue(!e.getMessage().contains("conv1d") && !e.getMessage().contains("Erf"), e.getMessage());
  }

  @Test
  void graphsNeedingSymbolicDimensionsConvertOnceTheShapeIsGiven() throws IOException {
    // y = reshape(x, [N, H, -1]) with H read by Shape from a symbolic input dimension
    ModelProto m = model(13, List.of(value("x", 1, "N", 1, "H", "W")), List.of(value("y", 1)), List.of(),
        node("Shape", "shape", X, List.of("s")),
        node("Constant", "c0", List.of(), List.of("i0"), tensor("value", int64("v", 0))),
        node("Constant", "c2", List.of(), List.of("i2"), tensor("value", int64("v", 2))),
        node("Constant", "cm", List.of(), List.of("m1"), tensor("value", int64("v", -1))),
        node("Gather", "g0", List.of("s", "i0"), List.of("n")),
        node("Gather", "g2", List.of("s", "i2"), List.of("h")),
        node("Concat", "cat", List.of("n", "h", "m1"), List.of("t"), i("axis", 0)),
        node("Reshape", "reshape", List.of("x", "t"), Y));
    OnnxModel model = OnnxModel.load(m.toByteArray(), "sym");
    assertArrayEquals(new int[] {-1, 1, -1, -1}, model.inputShape());
    assertEquals(Arrays.asList("N", null, "H", "W"), model.inputDimNames());
    assertMentions(assertThrows(IllegalStateException.class, model::toGraph), "symbolic", "toGraph(inputShape)");
    float[] data = new float[2 * 3 * 5];
    for (int k = 0; k < data.length; k++) data[k] = k - 7.5f;
    try (PreparedModel p = model.prepare(Backends.get("java"), new int[] {2, 1, 3, 5})) {
      Tensor y = p.run(Tensor.of(data, 2, 1, 3, 5));
      assertArrayEquals(new int[] {2, 3, 5}, y.shape());
      assertArrayEquals(data, y.data());
    }
  }

  @Test
  void declaredMetadata() throws IOException {
    OnnxModel dynamic = OnnxModel.load(OnnxCase.named("lenet5_op13").model());
    assertArrayEquals(new int[] {-1, 1, 28, 28}, dynamic.inputShape());
    assertEquals("batch", dynamic.inputDimNames().get(0));
    assertEquals("x", dynamic.inputName());
    assertEquals(List.of("y"), dynamic.outputNames());
    assertEquals(13, dynamic.opset());
    assertEquals("pytorch 1.13.0", dynamic.producer());
    OnnxModel fixed = OnnxModel.load(OnnxCase.named("lenet5_op11").model());
    assertArrayEquals(new int[] {2, 1, 28, 28}, fixed.inputShape());
    assertEquals(11, fixed.opset());
  }

  @Test
  void padsBeforeConvsBecomeTheConvsPaddingMode() throws IOException {
    for (String c : List.of("encdec_op9", "encdec_op13")) {
      String g = OnnxModel.load(OnnxCase.named(c).model()).toGraph().toString();
      // reflect (e1) and replicate (e2) pads are absorbed by their convs; F.pad(value=0.5) before a
      // ConvTranspose stays a pad op
      long pads = g.lines().filter(l -> l.contains(" = pad(")).count();
      assertEquals(1, pads, c + ":\n" + g);
    }
  }
}
