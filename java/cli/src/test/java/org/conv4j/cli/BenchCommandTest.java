package org.conv4j.cli;

import static org.conv4j.cli.MainTest.assertUserError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** conv4j bench with tiny iteration counts: the output's form, never its timings. */
class BenchCommandTest {
  private static final List<String> KEYS =
      List.of("model", "backend", "threads", "batch", "runs", "median_ms", "p90_ms", "min_ms");

  /** Each stdout line parsed as a JSON object with exactly the documented keys, in order, of the right types. */
  private static List<Map<String, Object>> jsonLines(Cli r) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String line : r.out().split("\\R")) {
      Map<String, Object> m = JsonTestParser.parse(line);
      assertEquals(KEYS, new ArrayList<>(m.keySet()), line);
      assertTrue(m.get("model") instanceof String && m.get("backend") instanceof String, line);
      for (String k : List.of("threads", "batch", "runs")) assertTrue(m.get(k) instanceof Long, k + ": " + line);
      double min = ((Number) m.get("min_ms")).doubleValue(), med = ((Number) m.get("median_ms")).doubleValue(),
          p90 = ((Number) m.get("p90_ms")).doubleValue();
      assertTrue(0 <= min && min <= med && med <= p90, line);
      rows.add(m);
    }
    return rows;
  }

  @Test
  void zooJsonLinesCarryEveryKeyForEachBackend() {
    Cli r = Cli.run("bench", "--zoo", "lenet5", "--iters", "2", "--warmup", "1", "--threads", "1", "--json");
    assertEquals(0, r.code(), r.toString());
    List<Map<String, Object>> rows = jsonLines(r);
    List<String> backends = Fixtures.backends();
    assertEquals(backends.size(), rows.size(), r.out());
    for (int i = 0; i < rows.size(); i++) {
      Map<String, Object> m = rows.get(i);
      assertEquals("LeNet5", m.get("model"));
      assertEquals(backends.get(i), m.get("backend"));
      assertEquals(1L, m.get("threads"));
      assertEquals(1L, m.get("batch"));
      assertEquals(2L, m.get("runs"));
    }
    // progress on stderr, one line per model and backend
    String[] err = r.errLines();
    int progress = 0;
    for (String l : err) if (l.startsWith("bench [")) progress++;
    assertEquals(backends.size(), progress, r.err());
  }

  @Test
  void onnxModelWithItsInputOnJava() {
    Path dir = Fixtures.onnxCase("tiny_squeeze_op13");
    Cli r = Cli.run("bench", "--model", dir.resolve("model.onnx").toString(), "--input",
        dir.resolve("x.npy").toString(), "--backend", "java", "--iters", "1", "--warmup", "0", "--json");
    assertEquals(0, r.code(), r.toString());
    List<Map<String, Object>> rows = jsonLines(r);
    assertEquals(1, rows.size());
    assertEquals("model.onnx", rows.get(0).get("model"));
    assertEquals("java", rows.get(0).get("backend"));
    assertEquals(2L, rows.get(0).get("batch")); // the first dimension of x.npy
  }

  @Test
  void tableHasAHeaderAndOneRowPerModelAndBackend() {
    Cli r = Cli.run("bench", "--zoo", "LeNet5", "--backend", "java", "--batch", "3", "--iters", "1",
        "--warmup", "0");
    assertEquals(0, r.code(), r.toString());
    String[] lines = r.out().split("\\R");
    assertEquals(2, lines.length, r.out());
    assertTrue(lines[0].startsWith("model   backend  threads  batch  runs  median ms  p90 ms  min ms  images/s"),
        lines[0]);
    assertTrue(lines[1].matches("LeNet5  java +\\d+ +3 +1 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+"), lines[1]);
  }

  @Test
  void errors() {
    Path dir = Fixtures.onnxCase("tiny_squeeze_op13");
    assertUserError(Cli.run("bench", "--model", dir.resolve("model.onnx").toString(), "--input",
        dir.resolve("x.npy").toString(), "--batch", "4"), "--input or --batch, not both");
    Path unsupported = Fixtures.onnxCase("unsupported_op13").resolve("model.onnx");
    assertUserError(Cli.run("bench", "--model", unsupported.toString(), "--backend", "java", "--iters", "1"),
        "unsupported operators");
    assertUserError(Cli.run("bench", "--zoo", "resnet18", "--batch", "0"), "--batch must be >= 1, got 0");
  }
}
