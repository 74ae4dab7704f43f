package org.conv4j.onnx;

/** ONNX TensorProto.DataType codes this importer reads, with each type's storage in {@link ConstTensor}. */
enum DataType {
  FLOAT(1, true, 4),
  UINT8(2, false, 1),
  INT8(3, false, 1),
  UINT16(4, false, 2),
  INT16(5, false, 2),
  INT32(6, false, 4),
  INT64(7, false, 8),
  BOOL(9, false, 1),
  FLOAT16(10, true, 2),
  DOUBLE(11, true, 8),
  UINT32(12, false, 4),
  UINT64(13, false, 8),
  BFLOAT16(16, true, 2);

  final int code;
  final boolean floating;
  /** Bytes per element in raw_data. */
  final int bytes;

  DataType(int code, boolean floating, int bytes) {
    this.code = code;
    this.floating = floating;
    this.bytes = bytes;
  }

  /** The type with this code, or an IllegalArgumentException naming it (strings, complex, float8 ...). */
  static DataType of(int code, String what) {
    for (DataType t : values()) if (t.code == code) return t;
    throw new IllegalArgumentException(what + " has data type " + name(code) + ", which is not supported");
  }

  /** ONNX's name for a type code, for messages. */
  static String name(int code) {
    switch (code) {
      case 0: return "UNDEFINED";
      case 8: return "STRING";
      case 14: return "COMPLEX64";
      case 15: return "COMPLEX128";
      default:
        for (DataType t : values()) if (t.code == code) return t.name();
        return "type " + code;
    }
  }

  /** v converted to this integer type as a C cast would (two's complement wrap-around). */
  long wrap(long v) {
    switch (this) {
      case UINT8: return v & 0xFFL;
      case INT8: return (byte) v;
      case UINT16: return v & 0xFFFFL;
      case INT16: return (short) v;
      case INT32: return (int) v;
      case UINT32: return v & 0xFFFFFFFFL;
      default: return v;
    }
  }
}
