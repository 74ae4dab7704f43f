package org.conv4j.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.conv4j.Tensor;

/**
 * Reads and writes NumPy .npy files holding float32 little-endian C-order arrays, the format of conv4j's weight
 * and test fixtures. Format (numpy.lib.format): magic {@code \x93NUMPY}, major and minor version bytes, header
 * length (uint16 LE for version 1.0, uint32 LE for 2.0 and 3.0), then a Python dict literal with the keys
 * 'descr', 'fortran_order' and 'shape' (Latin-1 before 3.0, UTF-8 in 3.0), padded with spaces and a newline so
 * the data starts at a multiple of 64 bytes, then the raw data.
 *
 * <p>Any other dtype or Fortran order is an {@link IllegalArgumentException} naming the file, the field and its
 * value; a truncated or malformed file is an {@link NpyFormatException} naming the file. A 0-d array reads as a
 * tensor of shape [] holding one float.
 */
public final class Npy {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final String FLOAT32_LE = "<f4";
  /** numpy's ARRAY_ALIGN: the header is padded so the data starts at a multiple of this. */
  private static final int ALIGN = 64;
  private static final int CHUNK = 1 << 16;
  private static final long MAX_FLOATS = Integer.MAX_VALUE - 8;

  private Npy() {}

  /** Reads a whole file; bytes after the data make it malformed. */
  public static Tensor read(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file))) {
      String name = file.toString();
      Tensor t = read(in, name);
      if (in.read() != -1) throw new NpyFormatException(name + ": extra bytes after the data of " + t);
      return t;
    }
  }

  /** Reads one array from the stream, leaving it positioned after the data; name is used in messages. */
  public static Tensor read(InputStream in, String name) throws IOException {
    byte[] pre = readFully(in, name, 8, "the preamble");
    if (!Arrays.equals(Arrays.copyOf(pre, 6), MAGIC)) {
      throw new NpyFormatException(name + ": not a .npy file: magic is " + hex(pre, 6) + ", expected 93 4e 55 4d 50 59");
    }
    int major = pre[6] & 0xff, minor = pre[7] & 0xff;
    if (major < 1 || major > 3 || minor != 0) {
      throw new NpyFormatException(name + ": format version " + major + "." + minor + " is not 1.0, 2.0 or 3.0");
    }
    byte[] len = readFully(in, name, major == 1 ? 2 : 4, "the header length");
    long headerLen = ByteBuffer.wrap(Arrays.copyOf(len, 4)).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
    if (headerLen > Integer.MAX_VALUE - 8) {
      throw new NpyFormatException(name + ": header length " + headerLen + " is implausible");
    }
    Charset cs = major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1;
    String header = new String(readFully(in, name, (int) headerLen, "the header"), cs);
    int[] shape = new HeaderParser(name, header).parse();
    long n = Tensor.numel(shape);
    if (n > MAX_FLOATS) {
      throw new IllegalArgumentException(
          name + ": field 'shape' is " + Arrays.toString(shape) + ", " + n + " floats, over the Java array limit");
    }
    float[] data = new float[(int) n];
    readFloats(in, name, data, shape);
    return Tensor.of(data, shape);
  }

  /** Writes the tensor as a version 1.0 file (2.0 only if the header outgrows 64 KiB). */
  public static void write(Path file, Tensor t) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file))) {
      write(out, t);
    }
  }

  /** Writes the tensor to the stream and flushes it; the stream stays open. */
  public static void write(OutputStream out, Tensor t) throws IOException {
    int[] shape = t.shape();
    StringBuilder dims = new StringBuilder();
    for (int i = 0; i < shape.length; i++) dims.append(i == 0 ? "" : ", ").append(shape[i]);
    if (shape.length == 1) dims.append(',');
    String dict = "{'descr': '" + FLOAT32_LE + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    boolean v1 = dict.length() + 1 + 10 <= 0xffff;
    int preamble = v1 ? 10 : 12;
    int padded = ((preamble + dict.length() + 1 + ALIGN - 1) / ALIGN) * ALIGN - preamble;
    byte[] header = (dict + " ".repeat(padded - dict.length() - 1) + "\n").getBytes(StandardCharsets.ISO_8859_1);
    ByteBuffer pre = ByteBuffer.allocate(preamble).order(ByteOrder.LITTLE_ENDIAN);
    pre.put(MAGIC).put((byte) (v1 ? 1 : 2)).put((byte) 0);
    if (v1) pre.putShort((short) header.length);
    else pre.putInt(header.length);
    out.write(pre.array());
    out.write(header);
    float[] data = t.data();
    ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < data.length; ) {
      int m = Math.min(CHUNK / 4, data.length - i);
      buf.clear();
      buf.asFloatBuffer().put(data, i, m);
      out.write(buf.array(), 0, m * 4);
      i += m;
    }
    out.flush();
  }

  private static void readFloats(InputStream in, String name, float[] data, int[] shape) throws IOException {
    byte[] chunk = new byte[CHUNK];
    ByteBuffer buf = ByteBuffer.wrap(chunk).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < data.length; ) {
      int m = Math.min(CHUNK / 4, data.length - i);
      int got = in.readNBytes(chunk, 0, m * 4);
      if (got < m * 4) {
        throw new NpyFormatException(name + ": truncated: shape " + Arrays.toString(shape) + " needs "
            + 4L * data.length + " data bytes but the file ends after " + (4L * i + got));
      }
      buf.clear();
      buf.asFloatBuffer().get(data, i, m);
      i += m;
    }
  }

  private static byte[] readFully(InputStream in, String name, int n, String what) throws IOException {
    byte[] b = in.readNBytes(n);
    if (b.length < n) {
      throw new NpyFormatException(name + ": truncated in " + what + ": needs " + n + " bytes, got " + b.length);
    }
    return b;
  }

  private static String hex(byte[] b, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) s.append(i == 0 ? "" : " ").append(String.format("%02x", b[i] & 0xff));
    return s.toString();
  }

  /**
   * Parses the header dict: Python literals (strings, True/False, ints with an optional Python 2 'L', tuples and
   * lists) as numpy's repr writes them, keys in any order, trailing commas allowed.
   */
  private static final class HeaderParser {
    private final String name;
    private final String s;
    private int pos;

    HeaderParser(String name, String s) {
      this.name = name;
      this.s = s;
    }

    int[] parse() throws NpyFormatException {
      String descr = null;
      Boolean fortran = null;
      int[] shape = null;
      skipSpace();
      expect('{');
      while (true) {
        skipSpace();
        if (peek() == '}') break;
        Object key = value();
        skipSpace();
        expect(':');
        skipSpace();
        int start = pos;
        Object v = value();
        String raw = s.substring(start, pos);
        if ("descr".equals(key) && descr == null) {
          if (!FLOAT32_LE.equals(v)) {
            throw new IllegalArgumentException(name + ": field 'descr' is " + raw
                + " but only '" + FLOAT32_LE + "' (float32 little-endian) is supported");
          }
          descr = (String) v;
        } else if ("fortran_order".equals(key) && fortran == null) {
          if (!(v instanceof Boolean)) throw corrupt("field 'fortran_order' is " + raw + ", not True or False");
          if ((Boolean) v) {
            throw new IllegalArgumentException(
                name + ": field 'fortran_order' is True but only C order (False) is supported");
          }
          fortran = false;
        } else if ("shape".equals(key) && shape == null) {
          shape = shape(v, raw);
        } else {
          throw corrupt("unexpected or repeated header key " + key);
        }
        skipSpace();
        if (peek() == ',') pos++;
        else if (peek() != '}') throw corrupt("expected ',' or '}' at offset " + pos);
      }
      pos++;
      skipSpace();
      if (pos != s.length()) throw corrupt("text after the header dict at offset " + pos);
      if (descr == null) throw corrupt("header lacks the key 'descr'");
      if (fortran == null) throw corrupt("header lacks the key 'fortran_order'");
      if (shape == null) throw corrupt("header lacks the key 'shape'");
      return shape;
    }

    private int[] shape(Object v, String raw) throws NpyFormatException {
      if (!(v instanceof List)) throw corrupt("field 'shape' is " + raw + ", not a tuple");
      List<?> dims = (List<?>) v;
      int[] shape = new int[dims.size()];
      for (int i = 0; i < shape.length; i++) {
        Object d = dims.get(i);
        if (!(d instanceof Long) || (Long) d < 0 || (Long) d > Integer.MAX_VALUE) {
          throw corrupt("field 'shape' is " + raw + ": dimension " + i + " is not an int in [0, 2^31)");
        }
        shape[i] = (int) (long) (Long) d;
      }
      return shape;
    }

    /** A string, Boolean, Long, or List of these. */
    private Object value() throws NpyFormatException {
      char c = peek();
      if (c == '\'' || c == '"') {
        int end = s.indexOf(c, pos + 1);
        if (end < 0) throw corrupt("unterminated string at offset " + pos);
        String v = s.substring(pos + 1, end);
        pos = end + 1;
        return v;
      }
      if (c == '(' || c == '[') {
        char close = c == '(' ? ')' : ']';
        pos++;
        List<Object> items = new ArrayList<>();
        while (true) {
          skipSpace();
          if (peek() == close) break;
          items.add(value());
          skipSpace();
          if (peek() == ',') pos++;
          else if (peek() != close) throw corrupt("expected ',' or '" + close + "' at offset " + pos);
        }
        pos++;
        return items;
      }
      if (Character.isDigit(c)) {
        int start = pos;
        while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
        String digits = s.substring(start, pos);
        if (pos < s.length() && s.charAt(pos) == 'L') pos++;
        return digits.length() > 12 ? Long.MAX_VALUE : Long.parseLong(digits);
      }
      if (s.startsWith("True", pos)) {
        pos += 4;
        return Boolean.TRUE;
      }
      if (s.startsWith("False", pos)) {
        pos += 5;
        return Boolean.FALSE;
      }
      throw corrupt("unexpected character '" + c + "' at offset " + pos);
    }

    private char peek() throws NpyFormatException {
      if (pos >= s.length()) throw corrupt("header ends early");
      return s.charAt(pos);
    }

    private void expect(char c) throws NpyFormatException {
      if (peek() != c) throw corrupt("expected '" + c + "' at offset " + pos);
      pos++;
    }

    private void skipSpace() {
      while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) pos++;
    }

    private NpyFormatException corrupt(String why) {
      String h = s.strip();
      return new NpyFormatException(
          name + ": malformed header: " + why + " in " + (h.length() > 120 ? h.substring(0, 120) + "..." : h));
    }
  }
}
