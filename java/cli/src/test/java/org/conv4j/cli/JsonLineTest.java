package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class JsonLineTest {
  @Test
  void writesKeysInOrderWithEscapesAndPlainNumbers() {
    String s = new JsonLine().put("model", "Res\"Net\\18\n").put("threads", 2).put("median_ms", 12.5)
        .put("p90_ms", 3.0).put("min_ms", 0.000012).put("tiny", 1e-7).put("bad", Double.NaN)
        .put("ctl", "\u0001").toString();
    assertEquals("{\"model\": \"Res\\\"Net\\\\18\\n\", \"threads\": 2, \"median_ms\": 12.5, \"p90_ms\": 3.0, "
        + "\"min_ms\": 0.000012, \"tiny\": 0.0, \"bad\": null, \"ctl\": \"\\u0001\"}", s);
    assertEquals("Res\"Net\\18\n", JsonTestParser.parse(s).get("model"));
    assertEquals(12.5, JsonTestParser.parse(s).get("median_ms"));
    assertEquals(null, JsonTestParser.parse(s).get("bad"));
  }
}
