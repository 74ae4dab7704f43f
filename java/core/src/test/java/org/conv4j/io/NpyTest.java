package org.conv4j.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.conv4j.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Npy against files numpy wrote (src/test/python/gen_npy_fixtures.py) and against its own output. */
class NpyTest {
  private static final float[] A_2X3 = {-1f, -0.5f, 0f, 0.5f, 1f, 1.5f};

  @TempDir Path tmp;

  private static Path resource(String name) throws URISyntaxException {
    return Path.of(NpyTest.class.getResource("/npy/" + name).toURI());
  }

  @ParameterizedTest
  @ValueSource(strings = {"f4_2x3.npy", "f4_2x3_v2.npy", "f4_2x3_v3.npy"})
  void readsFloat32WrittenByNumpyInEveryHeaderVersion(String file) throws Exception {
    Tensor t = Npy.read(resource(file));
    assertArrayEquals(new int[] {2, 3}, t.shape());
    assertArrayEquals(A_2X3, t.data());
  }

  @Test
  void writesTheSameBytesAsNumpy() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Npy.write(out, Tensor.of(A_2X3.clone(), 2, 3));
    assertArrayEquals(Files.readAllBytes(resource("f4_2x3.npy")), out.toByteArray());
  }

  @Test
  void readsZeroDimensionalAndOneDimensionalAndEmpty() throws Exception {
    Tensor scalar = Npy.read(resource("f4_scalar.npy"));
    assertEquals(0, scalar.rank());
    assertArrayEquals(new float[] {3.25f}, scalar.data());

    Tensor v = Npy.read(resource("f4_vector.npy"));
    assertArrayEquals(new int[] {5}, v.shape());
    float[] expected = {1.5f, -2.0f, 1e-30f, 3e38f, -0.0f};
    for (int i = 0; i < 5; i++) {
      assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(v.data()[i]), "element " + i);
    }

    Tensor empty = Npy.read(resource("f4_empty_0x3.npy"));
    assertArrayEquals(new int[] {0, 3}, empty.shape());
    assertEquals(0, empty.numel());
  }

  @Test
  void roundTripsThroughFilesEveryRankAndSpecialValues() throws Exception {
    Random rnd = new Random(7);
    int[][] shapes = {{}, {1}, {7}, {0}, {3, 0, 2}, {2, 3}, {2, 3, 4, 5}, {1, 1, 1, 1, 1, 1}, {40000}};
    for (int[] shape : shapes) {
      float[] data = new float[(int) Tensor.numel(shape)];
      for (int i = 0; i < data.length; i++) data[i] = (float) rnd.nextGaussian();
      if (data.length > 3) {
        data[0] = Float.NaN;
        data[1] = Float.NEGATIVE_INFINITY;
        data[2] = Float.MIN_VALUE;
        data[3] = -0.0f;
      }
      Path f = tmp.resolve("t" + shape.length + "_" + data.length + ".npy");
      Npy.write(f, Tensor.of(data, shape));
      assertEquals(0, (Files.size(f) - data.length * 4L) % 64, "data starts 64-byte aligned");
      Tensor back = Npy.read(f);
      assertArrayEquals(shape, back.shape());
      for (int i = 0; i < data.length; i++) {
        assertEquals(Float.floatToRawIntBits(data[i]), Float.floatToRawIntBits(back.data()[i]), "element " + i);
      }
    }
  }

  @Test
  void readsConsecutiveArraysFromOneStream() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Npy.write(out, Tensor.of(new float[] {1f, 2f}, 2));
    Npy.write(out, Tensor.of(new float[] {3f}));
    ByteArrayInputStream in = new ByteArrayInputStream(out.toByteArray());
    assertArrayEquals(new float[] {1f, 2f}, Npy.read(in, "stream").data());
    Tensor second = Npy.read(in, "stream");
    assertEquals(0, second.rank());
    assertArrayEquals(new float[] {3f}, second.data());
    assertEquals(-1, in.read());
  }

  @Test
  void writesVersion2WhenTheHeaderOutgrowsVersion1() throws Exception {
    int[] shape = new int[30000]; // "1, " per dimension: a header of about 90 KB
    Arrays.fill(shape, 1);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Npy.write(out, Tensor.of(new float[] {42f}, shape));
    byte[] bytes = out.toByteArray();
    assertEquals(2, bytes[6]);
    Tensor back = Npy.read(new ByteArrayInputStream(bytes), "big header");
    assertArrayEquals(shape, back.shape());
    assertArrayEquals(new float[] {42f}, back.data());
  }

  @ParameterizedTest
  @CsvSource({
    "f8.npy, 'descr', '<f8'",
    "i8.npy, 'descr', '<i8'",
    "big_endian.npy, 'descr', '>f4'",
    "fortran.npy, 'fortran_order', True"
  })
  void rejectsOtherDtypesAndFortranOrderNamingFileFieldAndValue(String file, String field, String value)
      throws Exception {
    Path p = resource(file);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Npy.read(p));
    assertContains(e.getMessage(), p.toString(), field, value);
  }

  @Test
  void rejectsTruncatedData() throws Exception {
    Path p = resource("truncated.npy");
    NpyFormatException e = assertThrows(NpyFormatException.class, () -> Npy.read(p));
    assertContains(e.getMessage(), p.toString(), "truncated", "24 data bytes", "ends after 19");
  }

  @Test
  void rejectsCorruptPreambleHeaderAndTrailingBytes() throws Exception {
    byte[] good = Files.readAllBytes(resource("f4_2x3.npy"));

    byte[] magic = good.clone();
    magic[1] = 'X';
    assertContains(corrupt("magic.npy", magic), "magic.npy", "not a .npy file", "93 58 55");

    byte[] version = good.clone();
    version[6] = 4;
    assertContains(corrupt("version.npy", version), "version.npy", "version 4.0");

    assertContains(corrupt("short.npy", Arrays.copyOf(good, 30)), "short.npy", "truncated in the header");

    byte[] noShape = good.clone();
    String header = new String(noShape, 10, 118, StandardCharsets.ISO_8859_1).replace("'shape'", "'shapf'");
    System.arraycopy(header.getBytes(StandardCharsets.ISO_8859_1), 0, noShape, 10, 118);
    assertContains(corrupt("key.npy", noShape), "key.npy", "malformed header", "shapf");

    byte[] negative = good.clone();
    String neg = new String(negative, 10, 118, StandardCharsets.ISO_8859_1).replace("(2, 3)", "(2,-3)");
    System.arraycopy(neg.getBytes(StandardCharsets.ISO_8859_1), 0, negative, 10, 118);
    assertContains(corrupt("neg.npy", negative), "neg.npy", "malformed header");

    byte[] trailing = Arrays.copyOf(good, good.length + 1);
    assertContains(corrupt("trailing.npy", trailing), "trailing.npy", "extra bytes");
  }

  private String corrupt(String name, byte[] bytes) throws IOException {
    Path p = tmp.resolve(name);
    Files.write(p, bytes);
    return assertThrows(NpyFormatException.class, () -> Npy.read(p)).getMessage();
  }

  private static void assertContains(String message, String... parts) {
    for (String part : parts) {
      assertTrue(message.contains(part), () -> "message lacks \"" + part + "\": " + message);
    }
  }
}
