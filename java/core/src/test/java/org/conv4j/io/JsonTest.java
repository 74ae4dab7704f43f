package org.conv4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {
  @Test
  void parsesEveryKind() {
    Object v = Json.parse(" {\"a\": [1, -2, 3.5, 1e3, true, false, null], \"s\": \"x\\n\\\"\\u00e9\\/\", \"o\": {}} ");
    Map<?, ?> m = (Map<?, ?>) v;
    assertEquals(List.of(1L, -2L, 3.5, 1000.0, true, false), ((List<?>) m.get("a")).subList(0, 6));
    assertNull(((List<?>) m.get("a")).get(6));
    assertEquals("x\n\"\u00e9/", m.get("s"));
    assertEquals(Map.of(), m.get("o"));
    assertEquals(List.of("a", "s", "o"), List.copyOf(m.keySet()));
  }

  @Test
  void rejectsMalformedInput() {
    for (String bad : new String[] {"", "{", "{\"a\" 1}", "[1,]", "[01]", "\"abc", "{\"a\":1,}", "tru", "1 2",
        "\"\\x\"", "99999999999999999999", "[-]", "{\"a\":1,\"a\":2}"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Json.parse(bad), bad);
      assertEquals(true, e.getMessage().startsWith("invalid JSON at offset"), e.getMessage());
    }
  }
}
