package org.conv4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.conv4j.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Safetensors reading and writing: a PyTorch-written file, round trips, F16/BF16, and every kind of corruption. */
class SafetensorsTest {
  @TempDir Path dir;

  static Path resource(String name) throws URISyntaxException {
    return Path.of(SafetensorsTest.class.getResource("/models/" + name).toURI());
  }

  /** A file with the given raw header JSON and data bytes. */
  private Path raw(String header, byte[] data) throws IOException {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put(data);
    Path p = dir.resolve("t" + System.nanoTime() + ".safetensors");
    Files.write(p, b.array());
    return p;
  }

  private static byte[] floats(float... v) {
    ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
    for (float f : v) b.putFloat(f);
    return b.array();
  }

  @Test
  void readsAPytorchStateDictWithInt64Counters() throws Exception {
    Path p = resource("tinynet/weights.safetensors");
    Safetensors.Contents c = Safetensors.readAll(p, k -> !k.endsWith("num_batches_tracked"));
    assertEquals("pt", c.metadata().get("format"));
    assertArrayEquals(new int[] {16, 3, 3, 3}, c.tensors().get("stem.0.weight").shape());
    assertArrayEquals(new int[] {16}, c.tensors().get("stem.1.running_var").shape());
    assertFalse(c.tensors().containsKey("stem.1.num_batches_tracked"));
    for (float v : c.tensors().get("stem.1.running_var").data()) assertTrue(v > 0, "running_var " + v);
    // num_batches_tracked is I64: reading everything refuses it, naming tensor and dtype
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(p));
    assertTrue(e.getMessage().contains("num_batches_tracked") && e.getMessage().contains("I64"), e.getMessage());
  }

  @Test
  void roundTripKeepsOrderShapesValuesAndMetadata() throws IOException {
    Map<String, Tensor> m = new LinkedHashMap<>();
    m.put("z.weight", Tensor.of(new float[] {1.5f, -2, Float.MIN_VALUE, Float.MAX_VALUE, Float.NaN, -0f}, 2, 3));
    m.put("a.bias", Tensor.of(new float[] {3}, 1));
    m.put("scalar", Tensor.of(new float[] {7}));
    m.put("quote\"d\\name", Tensor.of(new float[0], 0, 2));
    Path p = dir.resolve("rt.safetensors");
    Safetensors.write(p, m, Map.of("k", "v\n"));
    assertEquals(0, (Files.size(p) - 8 - 4 * 8) % 8, "header padded to 8 bytes");
    Safetensors.Contents c = Safetensors.readAll(p, k -> true);
    assertEquals(List.copyOf(m.keySet()), List.copyOf(c.tensors().keySet()));
    for (String k : m.keySet()) {
      assertArrayEquals(m.get(k).shape(), c.tensors().get(k).shape(), k);
      assertArrayEquals(m.get(k).data(), c.tensors().get(k).data(), 0f, k);
    }
    assertEquals(Map.of("k", "v\n"), c.metadata());
  }

  @Test
  void widensF16AndBf16Exactly() throws IOException {
    // F16: 1.0 = 0x3c00, -2.5 = 0xc100, 65504 = 0x7bff, smallest subnormal 0x0001 = 2^-24, inf 0x7c00
    short[] half = {0x3c00, (short) 0xc100, 0x7bff, 0x0001, 0x7c00};
    // BF16: the high 16 bits of the float32
    float[] bfv = {1f, -3.5f, 1e30f};
    ByteBuffer b = ByteBuffer.allocate(2 * (half.length + bfv.length)).order(ByteOrder.LITTLE_ENDIAN);
    for (short h : half) b.putShort(h);
    for (float f : bfv) b.putShort((short) (Float.floatToIntBits(f) >>> 16));
    Path p = raw("{\"h\":{\"dtype\":\"F16\",\"shape\":[5],\"data_offsets\":[0,10]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[10,16]}}", b.array());
    Map<String, Tensor> t = Safetensors.read(p);
    assertArrayEquals(new float[] {1f, -2.5f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY}, t.get("h").data(), 0f);
    float[] expectBf = new float[3];
    for (int i = 0; i < 3; i++) expectBf[i] = Float.intBitsToFloat(Float.floatToIntBits(bfv[i]) & 0xffff0000);
    assertArrayEquals(expectBf, t.get("b").data(), 0f);
    assertEquals(1f, expectBf[0]);
    assertEquals(-3.5f, expectBf[1]);
  }

  @Test
  void rejectsOtherDtypesNamingTheTensor() throws IOException {
    Path p = raw("{\"w\":{\"dtype\":\"I32\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Safetensors.read(p));
    assertTrue(e.getMessage().contains("\"w\"") && e.getMessage().contains("I32"), e.getMessage());
  }

  private void assertCorrupt(Path p, String... fragments) {
    SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> Safetensors.read(p));
    assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    for (String f : fragments) assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
  }

  @Test
  void truncatedFilesAreFormatErrors() throws Exception {
    byte[] whole = Files.readAllBytes(resource("lenet5/weights.safetensors"));
    Path cutData = dir.resolve("cut.safetensors");
    Files.write(cutData, Arrays.copyOf(whole, whole.length - 100));
    assertCorrupt(cutData, "truncated");
    Path cutHeader = dir.resolve("cuth.safetensors");
    Files.write(cutHeader, Arrays.copyOf(whole, 40));
    assertCorrupt(cutHeader, "truncated", "header");
    Path tiny = dir.resolve("tiny.safetensors");
    Files.write(tiny, new byte[] {1, 2, 3});
    assertCorrupt(tiny, "too short");
  }

  @Test
  void malformedHeadersAreFormatErrors() throws IOException {
    assertCorrupt(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}", new byte[8]), "\"w\"",
        "4 bytes", "needs 8");
    assertCorrupt(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", new byte[4]), "reversed");
    assertCorrupt(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", new byte[4]), "shape");
    assertCorrupt(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", new byte[4]), "data_offsets");
    assertCorrupt(raw("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}", new byte[4]), "JSON");
    assertCorrupt(raw("[1, 2]", new byte[0]), "not a JSON object");
    assertCorrupt(raw("{\"__metadata__\":{\"a\":1}}", new byte[0]), "__metadata__");
    assertCorrupt(raw("{\"a\":{}, \"a\":{}}", new byte[0]), "duplicate");
    // a header length far past the file
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).putLong(0);
    Path huge = dir.resolve("huge.safetensors");
    Files.write(huge, b.array());
    assertCorrupt(huge, "header length");
  }

  @Test
  void readsValuesAtTheirOffsets() throws IOException {
    Path p = raw("{\"b\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[8,16]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", floats(1, 2, 3, 4));
    Map<String, Tensor> t = Safetensors.read(p);
    assertArrayEquals(new float[] {3, 4}, t.get("b").data(), 0f);
    assertArrayEquals(new float[] {1, 2}, t.get("a").data(), 0f);
    assertEquals(List.of("b", "a"), List.copyOf(t.keySet()));
  }
}
