package org.conv4j.onnx;

import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.conv4j.Tensor;
import org.conv4j.onnx.proto.OnnxProto.StringStringEntryProto;
import org.conv4j.onnx.proto.OnnxProto.TensorProto;

/**
 * Decodes a TensorProto's data: raw_data (fixed-width little-endian, as onnx.proto requires) or the typed fields
 * float_data, double_data, int32_data (also int8/16, uint8/16, bool and the bits of float16/bfloat16),
 * int64_data and uint64_data. Data in external files is refused with an explicit message.
 */
final class TensorDecoder {
  private TensorDecoder() {}

  static ConstTensor decode(TensorProto t, String what) {
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
      String location = "?";
      for (StringStringEntryProto e : t.getExternalDataList()) if (e.getKey().equals("location")) location = e.getValue();
      throw new IllegalArgumentException(what + " keeps its data in an external file (" + location + "), which is"
          + " not supported: save the model as one file (onnx.save_model(m, path, save_as_external_data=False))");
    }
    if (t.hasSegment()) throw new IllegalArgumentException(what + " is stored in segments, which is not supported");
    DataType type = DataType.of(t.getDataType(), what);
    int[] shape = new int[t.getDimsCount()];
    for (int i = 0; i < shape.length; i++) {
      long d = t.getDims(i);
      if (d < 0 || d > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(what + " has an invalid dimension " + i + ": " + d);
      }
      shape[i] = (int) d;
    }
    long numel = Tensor.numel(shape);
    if (numel > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(what + " has " + numel + " elements, over the Java array limit");
    }
    int n = (int) numel;
    if (t.hasRawData()) return raw(t.getRawData(), type, shape, n, what);
    if (type.floating) {
      float[] f = new float[n];
      switch (type) {
        case FLOAT:
          count(what, "float_data", t.getFloatDataCount(), n);
          for (int i = 0; i < n; i++) f[i] = t.getFloatData(i);
          break;
        case DOUBLE:
          count(what, "double_data", t.getDoubleDataCount(), n);
          for (int i = 0; i < n; i++) f[i] = (float) t.getDoubleData(i);
          break;
        default: // float16, bfloat16: bits in int32_data
          count(what, "int32_data", t.getInt32DataCount(), n);
          for (int i = 0; i < n; i++) f[i] = halfToFloat(type, t.getInt32Data(i));
      }
      return ConstTensor.ofFloats(type, shape, f);
    }
    long[] l = new long[n];
    switch (type) {
      case INT64:
        count(what, "int64_data", t.getInt64DataCount(), n);
        for (int i = 0; i < n; i++) l[i] = t.getInt64Data(i);
        break;
      case UINT32:
      case UINT64:
        count(what, "uint64_data", t.getUint64DataCount(), n);
        for (int i = 0; i < n; i++) l[i] = type.wrap(t.getUint64Data(i));
        break;
      default:
        count(what, "int32_data", t.getInt32DataCount(), n);
        for (int i = 0; i < n; i++) l[i] = type.wrap(t.getInt32Data(i));
    }
    return ConstTensor.ofLongs(type, shape, l, null);
  }

  private static void count(String what, String field, int have, int need) {
    if (have != need) {
      throw new IllegalArgumentException(what + " has " + have + " values in " + field + " but its shape needs " + need);
    }
  }

  private static ConstTensor raw(ByteString bytes, DataType type, int[] shape, int n, String what) {
    long need = (long) n * type.bytes;
    if (bytes.size() != need) {
      throw new IllegalArgumentException(what + " has " + bytes.size() + " bytes of raw_data but " + type + " "
          + Arrays.toString(shape) + " needs " + need);
    }
    ByteBuffer b = bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    if (type.floating) {
      float[] f = new float[n];
      switch (type) {
        case FLOAT: b.asFloatBuffer().get(f); break;
        case DOUBLE: for (int i = 0; i < n; i++) f[i] = (float) b.getDouble(); break;
        default: for (int i = 0; i < n; i++) f[i] = halfToFloat(type, b.getShort() & 0xFFFF);
      }
      return ConstTensor.ofFloats(type, shape, f);
    }
    long[] l = new long[n];
    for (int i = 0; i < n; i++) {
      switch (type.bytes) {
        case 1: l[i] = type.wrap(b.get()); break;
        case 2: l[i] = type.wrap(b.getShort()); break;
        case 4: l[i] = type.wrap(b.getInt()); break;
        default: l[i] = b.getLong();
      }
    }
    return ConstTensor.ofLongs(type, shape, l, null);
  }

  /** IEEE half (float16) or bfloat16 bits to float. */
  static float halfToFloat(DataType type, int bits) {
    if (type == DataType.BFLOAT16) return Float.intBitsToFloat((bits & 0xFFFF) << 16);
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >>> 10) & 0x1F;
    int mant = bits & 0x3FF;
    if (exp == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
    if (exp == 0) {
      if (mant == 0) return Float.intBitsToFloat(sign);
      float v = mant * 0x1p-24f; // subnormal: mant * 2^-24, exact in float
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
