package org.conv4j.cli;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A strict parser for flat JSON objects (string, number, true, false, null values), enough to check that the
 * CLI's --json lines are valid JSON: anything else is an IllegalArgumentException.
 */
final class JsonTestParser {
  private final String s;
  private int pos;

  private JsonTestParser(String s) {
    this.s = s;
  }

  static Map<String, Object> parse(String line) {
    JsonTestParser p = new JsonTestParser(line);
    Map<String, Object> m = p.object();
    p.space();
    if (p.pos != line.length()) throw p.error("trailing text");
    return m;
  }

  private Map<String, Object> object() {
    Map<String, Object> m = new LinkedHashMap<>();
    space();
    expect('{');
    space();
    if (peek() == '}') {
      pos++;
      return m;
    }
    while (true) {
      space();
      String k = string();
      space();
      expect(':');
      space();
      if (m.put(k, value()) != null) throw error("duplicate key " + k);
      space();
      char c = next();
      if (c == '}') return m;
      if (c != ',') throw error("expected , or }");
    }
  }

  private Object value() {
    char c = peek();
    if (c == '"') return string();
    if (s.startsWith("null", pos)) {
      pos += 4;
      return null;
    }
    if (s.startsWith("true", pos)) {
      pos += 4;
      return true;
    }
    if (s.startsWith("false", pos)) {
      pos += 5;
      return false;
    }
    int start = pos;
    if (peek() == '-') pos++;
    while (pos < s.length() && "0123456789.eE+-".indexOf(s.charAt(pos)) >= 0) pos++;
    String num = s.substring(start, pos);
    if (!num.matches("-?(0|[1-9]\\d*)(\\.\\d+)?([eE][+-]?\\d+)?")) throw error("bad number " + num);
    return num.matches("-?\\d+") ? (Object) Long.parseLong(num) : (Object) Double.parseDouble(num);
  }

  private String string() {
    expect('"');
    StringBuilder b = new StringBuilder();
    while (true) {
      char c = next();
      if (c == '"') return b.toString();
      if (c < 0x20) throw error("control character in string");
      if (c != '\\') {
        b.append(c);
        continue;
      }
      char e = next();
      switch (e) {
        case '"': case '\\': case '/': b.append(e); break;
        case 'n': b.append('\n'); break;
        case 'r': b.append('\r'); break;
        case 't': b.append('\t'); break;
        case 'b': b.append('\b'); break;
        case 'f': b.append('\f'); break;
        case 'u': b.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16)); pos += 4; break;
        default: throw error("bad escape \\" + e);
      }
    }
  }

  private void space() {
    while (pos < s.length() && " \t\r\n".indexOf(s.charAt(pos)) >= 0) pos++;
  }

  private char peek() {
    if (pos >= s.length()) throw error("unexpected end");
    return s.charAt(pos);
  }

  private char next() {
    char c = peek();
    pos++;
    return c;
  }

  private void expect(char c) {
    if (next() != c) throw error("expected " + c);
  }

  private IllegalArgumentException error(String why) {
    return new IllegalArgumentException(why + " at offset " + pos + " in " + s);
  }
}
