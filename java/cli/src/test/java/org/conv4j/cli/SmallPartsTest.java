package org.conv4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.conv4j.Tensor;
import org.junit.jupiter.api.Test;

/** TopK, Layouts, the bench table and the deterministic bench input. */
class SmallPartsTest {
  @Test
  void topKOrdersByScoreThenIndexAndPutsNaNLast() {
    float[] s = {0.1f, 0.9f, Float.NaN, 0.5f, 0.9f, -1f, 0.3f};
    assertArrayEquals(new int[] {1, 4, 3, 6, 0}, TopK.indices(s, 0, 7, 5));
    assertArrayEquals(new int[] {1, 0}, TopK.indices(s, 3, 4, 2)); // row [0.5, 0.9, -1, 0.3]
    // row [NaN, 2, 0] with k above its length: all three, NaN last
    assertArrayEquals(new int[] {1, 2, 0}, TopK.indices(new float[] {1, Float.NaN, 2, 0}, 1, 3, 9));
  }

  @Test
  void nchwToNhwcPlacesChannelsLast() {
    float[] d = new float[2 * 3 * 2 * 2];
    for (int i = 0; i < d.length; i++) d[i] = i;
    Tensor nchw = Tensor.of(d, 2, 3, 2, 2);
    Tensor nhwc = Layouts.nchwToNhwc(nchw);
    assertArrayEquals(new int[] {2, 2, 2, 3}, nhwc.shape());
    // item 0, pixel (0, 0): channels 0, 1, 2 sit at 0, 4, 8 in NCHW
    assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9}, java.util.Arrays.copyOf(nhwc.data(), 6));
    assertEquals(12f, nhwc.data()[12]); // item 1 starts at 12 in both layouts
    // item 1, pixel (1, 1): NCHW offsets 12 + 3, 12 + 7, 12 + 11
    assertArrayEquals(new float[] {15, 19, 23}, java.util.Arrays.copyOfRange(nhwc.data(), 21, 24));
  }

  @Test
  void benchTableShowsNativeSpeedupOverJava() {
    List<BenchCommand.Row> rows = List.of(
        new BenchCommand.Row("ResNet-18", "native", 2, 1, Stats.ofNanos(new long[] {20_000_000})),
        new BenchCommand.Row("ResNet-18", "java", 2, 1, Stats.ofNanos(new long[] {300_000_000})),
        new BenchCommand.Row("LeNet5", "java", 2, 1, Stats.ofNanos(new long[] {1_000_000})));
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    BenchTable.print(rows, new PrintStream(b, true, StandardCharsets.UTF_8));
    String[] lines = b.toString(StandardCharsets.UTF_8).split("\\R");
    assertEquals(4, lines.length);
    assertEquals(List.of("model", "backend", "threads", "batch", "runs", "median", "ms", "p90", "ms", "min", "ms",
        "images/s", "vs", "java"), List.of(lines[0].trim().split("\\s+")));
    assertEquals(List.of("ResNet-18", "native", "2", "1", "1", "20.00", "20.00", "20.00", "50.0", "15.0x"),
        List.of(lines[1].trim().split("\\s+")));
    assertEquals(List.of("ResNet-18", "java", "2", "1", "1", "300.00", "300.00", "300.00", "3.3"),
        List.of(lines[2].trim().split("\\s+")));
    assertEquals(List.of("LeNet5", "java", "2", "1", "1", "1.000", "1.000", "1.000", "1000.0"),
        List.of(lines[3].trim().split("\\s+")));
  }

  @Test
  void benchInputIsSeededAndInRange() {
    Tensor a = BenchCommand.randomInput(new int[] {2, 3, 4, 4});
    Tensor b = BenchCommand.randomInput(new int[] {2, 3, 4, 4});
    assertArrayEquals(a.data(), b.data());
    for (float v : a.data()) assertEquals(true, v >= -1 && v < 1, "value " + v);
    assertEquals(false, a.data()[0] == a.data()[1]);
  }
}
