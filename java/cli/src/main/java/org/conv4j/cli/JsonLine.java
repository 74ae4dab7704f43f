package org.conv4j.cli;

import java.util.Locale;

/** A flat JSON object written on one line, keys in insertion order; strings escaped per RFC 8259. */
final class JsonLine {
  private final StringBuilder s = new StringBuilder("{");

  JsonLine put(String key, String value) {
    key(key);
    quote(value);
    return this;
  }

  JsonLine put(String key, long value) {
    key(key);
    s.append(value);
    return this;
  }

  /** Finite numbers with up to 6 decimals (nanoseconds, for milliseconds); NaN and infinities (not JSON) as null. */
  JsonLine put(String key, double value) {
    key(key);
    if (!Double.isFinite(value)) {
      s.append("null");
    } else {
      String t = String.format(Locale.ROOT, "%.6f", value);
      t = t.contains(".") ? t.replaceAll("0+$", "").replaceAll("\\.$", ".0") : t;
      s.append(t);
    }
    return this;
  }

  @Override
  public String toString() {
    return s + "}";
  }

  private void key(String k) {
    if (s.length() > 1) s.append(", ");
    quote(k);
    s.append(": ");
  }

  private void quote(String v) {
    s.append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '"': s.append("\\\""); break;
        case '\\': s.append("\\\\"); break;
        case '\n': s.append("\\n"); break;
        case '\r': s.append("\\r"); break;
        case '\t': s.append("\\t"); break;
        default:
          if (c < 0x20) s.append(String.format("\\u%04x", (int) c));
          else s.append(c);
      }
    }
    s.append('"');
  }
}
