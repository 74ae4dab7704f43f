package org.conv4j.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.conv4j.Tensor;

/**
 * Reads and writes safetensors files (the Hugging Face format PyTorch state dicts are shared in). Layout: an
 * unsigned 64-bit little-endian header length N, N bytes of UTF-8 JSON {@code {name: {"dtype", "shape",
 * "data_offsets": [begin, end]}, "__metadata__": {string: string}}}, then the data buffer; offsets are bytes
 * relative to the buffer's start, data is little-endian C-order.
 *
 * <p>F32 tensors are read as they are; F16 and BF16 are widened to float32 exactly. Any other dtype is an
 * IllegalArgumentException naming the file, tensor and dtype. A truncated file, a malformed header, offsets outside
 * the buffer or a byte count that does not match dtype and shape are a {@link SafetensorsFormatException} naming
 * the file (and tensor).
 */
public final class Safetensors {
  /** Headers beyond this are refused as corrupt (the reference implementation's limit is 100 MB). */
  private static final long MAX_HEADER = 100L << 20;
  private static final String METADATA = "__metadata__";

  private Safetensors() {}

  /** Every tensor of the file, in header order, as float32. */
  public static LinkedHashMap<String, Tensor> read(Path file) throws IOException {
    return readAll(file, k -> true).tensors();
  }

  /**
   * The tensors whose names pass include (others are skipped unread, whatever their dtype, e.g. BatchNorm's int64
   * num_batches_tracked counters), in header order.
   */
  public static LinkedHashMap<String, Tensor> read(Path file, Predicate<String> include) throws IOException {
    return readAll(file, include).tensors();
  }

  /** The tensors and the __metadata__ map of a file. */
  public record Contents(LinkedHashMap<String, Tensor> tensors, Map<String, String> metadata) {}

  public static Contents readAll(Path file, Predicate<String> include) throws IOException {
    String name = file.toString();
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size < 8) throw new SafetensorsFormatException(name + ": " + size + " bytes, too short for the header length");
      ByteBuffer lenBuf = readAt(ch, 0, 8, name, "the header length");
      long n = lenBuf.order(ByteOrder.LITTLE_ENDIAN).getLong(0);
      if (n < 2 || n > MAX_HEADER) {
        throw new SafetensorsFormatException(name + ": header length " + Long.toUnsignedString(n)
            + " is not in [2, " + MAX_HEADER + "] (not a safetensors file?)");
      }
      if (8 + n > size) {
        throw new SafetensorsFormatException(name + ": truncated: the header needs " + n + " bytes but the file has "
            + (size - 8) + " after the length");
      }
      String json;
      try {
        json = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .decode(readAt(ch, 8, (int) n, name, "the header")).toString();
      } catch (CharacterCodingException e) {
        throw new SafetensorsFormatException(name + ": the header is not valid UTF-8");
      }
      Object root;
      try {
        root = Json.parse(json);
      } catch (IllegalArgumentException e) {
        throw new SafetensorsFormatException(name + ": header: " + e.getMessage());
      }
      if (!(root instanceof Map<?, ?> header)) throw new SafetensorsFormatException(name + ": the header is not a JSON object");
      long dataStart = 8 + n, dataLen = size - dataStart;
      LinkedHashMap<String, Tensor> tensors = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : header.entrySet()) {
        String key = (String) e.getKey();
        if (key.equals(METADATA)) {
          readMetadata(name, e.getValue(), metadata);
          continue;
        }
        if (!include.test(key)) continue;
        tensors.put(key, readTensor(ch, name, key, e.getValue(), dataStart, dataLen));
      }
      return new Contents(tensors, Map.copyOf(metadata));
    }
  }

  private static void readMetadata(String file, Object v, Map<String, String> out) throws SafetensorsFormatException {
    if (!(v instanceof Map<?, ?> m)) throw new SafetensorsFormatException(file + ": __metadata__ is not an object");
    for (Map.Entry<?, ?> e : m.entrySet()) {
      if (!(e.getValue() instanceof String s)) {
        throw new SafetensorsFormatException(file + ": __metadata__ value of \"" + e.getKey() + "\" is not a string");
      }
      out.put((String) e.getKey(), s);
    }
  }

  private static Tensor readTensor(FileChannel ch, String file, String key, Object v, long dataStart, long dataLen)
      throws IOException {
    String where = file + ": tensor \"" + key + "\"";
    if (!(v instanceof Map<?, ?> info)) throw new SafetensorsFormatException(where + " is not described by an object");
    if (!(info.get("dtype") instanceof String dtype)) throw new SafetensorsFormatException(where + " has no string dtype");
    int width;
    switch (dtype) {
      case "F32": width = 4; break;
      case "F16": case "BF16": width = 2; break;
      default:
        throw new IllegalArgumentException(where + " has dtype " + dtype + "; conv4j reads F32, F16 and BF16 only");
    }
    int[] shape = Arrays.stream(longs(info.get("shape"), where, "shape", -1, Integer.MAX_VALUE))
        .mapToInt(Math::toIntExact).toArray();
    long[] off = longs(info.get("data_offsets"), where, "data_offsets", 2, Long.MAX_VALUE);
    long numel = Tensor.numel(shape);
    if (numel > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(where + ": shape " + Arrays.toString(shape) + " is too large for a float[]");
    }
    long begin = off[0], end = off[1];
    if (begin > end) throw new SafetensorsFormatException(where + ": data_offsets [" + begin + ", " + end + "] are reversed");
    if (end > dataLen) {
      throw new SafetensorsFormatException(where + ": truncated: data_offsets end at " + end + " but the data buffer has "
          + dataLen + " bytes");
    }
    if (end - begin != numel * width) {
      throw new SafetensorsFormatException(where + ": data_offsets [" + begin + ", " + end + "] hold " + (end - begin)
          + " bytes but " + dtype + " " + Arrays.toString(shape) + " needs " + numel * width);
    }
    ByteBuffer bytes = readAt(ch, dataStart + begin, (int) (end - begin), file, "tensor " + key)
        .order(ByteOrder.LITTLE_ENDIAN);
    float[] data = new float[(int) numel];
    if (width == 4) {
      bytes.asFloatBuffer().get(data);
    } else {
      for (int i = 0; i < data.length; i++) {
        short h = bytes.getShort(2 * i);
        data[i] = dtype.equals("BF16") ? Float.intBitsToFloat((h & 0xffff) << 16) : halfToFloat(h);
      }
    }
    return Tensor.of(data, shape);
  }

  /** IEEE 754 binary16 to float32, exactly (subnormals, infinities and NaN included). */
  static float halfToFloat(short h) {
    int sign = (h >>> 15) & 1, exp = (h >>> 10) & 0x1f, mant = h & 0x3ff;
    float v;
    if (exp == 0) v = mant * 0x1p-24f;
    else if (exp == 31) v = mant == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
    else v = Float.intBitsToFloat(((exp + 112) << 23) | (mant << 13));
    return sign == 1 ? -v : v;
  }

  /** A JSON list of integers in [0, max], or a format error naming the field. */
  private static long[] longs(Object v, String where, String field, int count, long max)
      throws SafetensorsFormatException {
    if (!(v instanceof List<?> list) || (count >= 0 && list.size() != count)) {
      throw new SafetensorsFormatException(where + ": " + field + " must be a list of "
          + (count >= 0 ? count + " " : "") + "integers, got " + v);
    }
    long[] out = new long[list.size()];
    for (int i = 0; i < out.length; i++) {
      if (!(list.get(i) instanceof Long l) || l < 0 || l > max) {
        throw new SafetensorsFormatException(where + ": " + field + " entry " + i + " is " + list.get(i)
            + ", not an integer in [0, " + max + "]");
      }
      out[i] = l;
    }
    return out;
  }

  private static ByteBuffer readAt(FileChannel ch, long pos, int n, String file, String what) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n);
    while (b.hasRemaining()) {
      int r = ch.read(b, pos + b.position());
      if (r < 0) throw new SafetensorsFormatException(file + ": truncated while reading " + what);
    }
    return b.flip();
  }

  /**
   * Writes tensors as F32 in the given order, with optional string metadata. The header is padded with spaces to
   * a multiple of 8 bytes so the data is aligned, as the reference implementation does.
   */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
    StringBuilder h = new StringBuilder("{");
    if (!metadata.isEmpty()) {
      h.append(quote(METADATA)).append(":{");
      boolean first = true;
      for (Map.Entry<String, String> e : metadata.entrySet()) {
        h.append(first ? "" : ",").append(quote(e.getKey())).append(':').append(quote(e.getValue()));
        first = false;
      }
      h.append('}');
    }
    long off = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      if (e.getKey().equals(METADATA)) throw new IllegalArgumentException("a tensor cannot be named " + METADATA);
      long bytes = 4L * e.getValue().numel();
      if (h.length() > 1) h.append(',');
      h.append(quote(e.getKey())).append(":{\"dtype\":\"F32\",\"shape\":")
          .append(Arrays.toString(e.getValue().shape()).replace(" ", "")).append(",\"data_offsets\":[")
          .append(off).append(',').append(off + bytes).append("]}");
      off += bytes;
    }
    h.append('}');
    int utf8 = h.toString().getBytes(StandardCharsets.UTF_8).length;
    h.append(" ".repeat((8 - utf8 % 8) % 8));
    byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length);
      out.write(len.array());
      out.write(header);
      ByteBuffer chunk = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
      for (Tensor t : tensors.values()) {
        for (float f : t.data()) {
          if (!chunk.hasRemaining()) {
            out.write(chunk.array(), 0, chunk.position());
            chunk.clear();
          }
          chunk.putFloat(f);
        }
      }
      out.write(chunk.array(), 0, chunk.position());
    }
  }

  private static String quote(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') sb.append('\\').append(c);
      else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
      else sb.append(c);
    }
    return sb.append('"').toString();
  }
}
