package org.conv4j.onnx;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.conv4j.onnx.proto.OnnxProto.TensorProto;
import org.junit.jupiter.api.Test;

/** TensorProto data in every layout the importer reads. */
class TensorDecoderTest {
  private static ConstTensor decode(TensorProto t) {
    return TensorDecoder.decode(t, "tensor " + t.getName());
  }

  @Test
  void rawDataIsLittleEndian() {
    // 1.5f = 0x3FC00000, -2f = 0xC0000000
    ConstTensor f = decode(ProtoModels.raw("f", 1, new int[] {2}, (byte) 0, (byte) 0, (byte) 0xC0, (byte) 0x3F,
        (byte) 0, (byte) 0, (byte) 0, (byte) 0xC0));
    assertArrayEquals(new float[] {1.5f, -2f}, f.floats("f"));
    ConstTensor l = decode(ProtoModels.raw("l", 7, new int[] {1}, (byte) 0xFE, (byte) 0xFF, (byte) 0xFF,
        (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF));
    assertArrayEquals(new long[] {-2}, l.longs("l"));
    ConstTensor u8 = decode(ProtoModels.raw("u", 2, new int[] {2}, (byte) 0xFF, (byte) 1));
    assertArrayEquals(new long[] {255, 1}, u8.longs("u"));
  }

  @Test
  void halfPrecisionAndTypedFields() {
    // float16: 1, -2, 65504 (max), 2^-24 (smallest subnormal), +inf; bfloat16 0x3F80 = 1
    ConstTensor h = decode(ProtoModels.raw("h", 10, new int[] {5}, (byte) 0x00, (byte) 0x3C, (byte) 0x00,
        (byte) 0xC0, (byte) 0xFF, (byte) 0x7B, (byte) 0x01, (byte) 0x00, (byte) 0x00, (byte) 0x7C));
    assertArrayEquals(new float[] {1f, -2f, 65504f, 0x1p-24f, Float.POSITIVE_INFINITY}, h.floats("h"));
    assertEquals(1f, TensorDecoder.halfToFloat(DataType.BFLOAT16, 0x3F80));
    assertArrayEquals(new float[] {0.25f, 3f}, decode(ProtoModels.floats("t", new int[] {2}, 0.25f, 3f)).floats("t"));
    assertArrayEquals(new long[] {5, -6}, decode(ProtoModels.int64("i", 5, -6)).longs("i"));
    TensorProto i8 = TensorProto.newBuilder().setName("b").setDataType(3).addDims(2).addInt32Data(-1).addInt32Data(127).build();
    assertArrayEquals(new long[] {-1, 127}, decode(i8).longs("b"));
    TensorProto d = TensorProto.newBuilder().setName("d").setDataType(11).addDims(1).addDoubleData(0.1).build();
    assertArrayEquals(new float[] {0.1f}, decode(d).floats("d"));
  }

  @Test
  void wrongLengthsAndUnsupportedTypesAreNamed() {
    IllegalArgumentException raw = assertThrows(IllegalArgumentException.class,
        () -> decode(ProtoModels.raw("w", 1, new int[] {2, 2}, new byte[12])));
    assertTrue(raw.getMessage().contains("tensor w has 12 bytes of raw_data but FLOAT [2, 2] needs 16"), raw.getMessage());
    IllegalArgumentException typed = assertThrows(IllegalArgumentException.class,
        () -> decode(ProtoModels.floats("v", new int[] {3}, 1f, 2f)));
    assertTrue(typed.getMessage().contains("2 values in float_data but its shape needs 3"), typed.getMessage());
    TensorProto s = TensorProto.newBuilder().setName("s").setDataType(8).addDims(1).build();
    IllegalArgumentException str = assertThrows(IllegalArgumentException.class, () -> decode(s));
    assertTrue(str.getMessage().contains("STRING"), str.getMessage());
  }
}
