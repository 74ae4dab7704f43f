package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SideBySideForkTest {
  private static final Workload B1 = workload(1), B8 = workload(8);
  private static final Subject MODEL = Subject.ofFile("resnet18", Path.of("resnet18.onnx"), List.of(B1, B8));
  private static final Subject LAYER = Subject.ofBytes("conv_a", () -> new byte[0], List.of(workload(1)));

  private static Workload workload(int batch) {
    return new Workload(Workload.Section.MODELS, "ResNet-18", "ResNet-18 b" + batch, new int[] {3, 224, 224}, batch,
        3_600_000_000L, List.of());
  }

  @Test
  void childArgumentsKeepTheOptionsAndReplaceTheSelectionAndOutputs() {
    String[] parent = {"--quick", "--models", "lenet5,resnet18", "--threads", "1", "--out", "/tmp/R.md", "--chart",
        "/tmp/c.png", "--kernels", "all", "--command", "x y", "--engines", "native,java,ort"};
    List<Contender> nativeOrt = List.of(Contender.NATIVE, Contender.ORT);
    assertEquals(List.of("--quick", "--threads", "1", "--models", "resnet18", "--kernels", "none", "--engines",
        "native,ort"), SideBySideFork.childArgs(parent, List.of(MODEL), nativeOrt, false));
    assertEquals(List.of("--models", "none", "--kernels", "conv_a", "--engines", "native,java,ort", "--java-pass"),
        SideBySideFork.childArgs(new String[] {"--models", "vgg16"}, List.of(LAYER),
            List.of(Contender.NATIVE, Contender.JAVA, Contender.ORT), true));
    assertEquals(List.of("--models", "resnet18", "--kernels", "conv_a", "--engines", "ort"),
        SideBySideFork.childArgs(new String[] {"--java-pass"}, List.of(LAYER, MODEL), List.of(Contender.ORT),
            false));
  }

  @Test
  void rowsAndNotesSurviveTheResultFile() {
    Measurement a = new Measurement(B1, 2, Map.of(Contender.NATIVE, new Stats(1.5e6, 1.4e6, 1.75e6, 31),
        Contender.ORT, new Stats(2.0e6 / 3, 0.6e6, 0.7e6, 29)), Map.of(Contender.NATIVE, 3.25e-7), "1.07");
    Measurement b = new Measurement(B8, 1, Map.of(Contender.JAVA, new Stats(9e6, 8e6, 10e6, 5)), Map.of(), "0.5",
        new Stats(2e6, 1.9e6, 2.1e6, 40));
    List<String> lines = new ArrayList<>(SideBySideFork.lines(MODEL, List.of(a, b)));
    lines.addAll(SideBySideFork.noteLines(List.of("conv4j Java failed:\n\tat X")));
    List<String> notes = new ArrayList<>();
    List<Measurement> back = SideBySideFork.read(lines, List.of(LAYER, MODEL), notes);
    assertEquals(List.of(a, b), back);
    assertSame(B8, back.get(1).workload(), "the parent's own workload object");
    assertEquals(List.of("conv4j Java failed:  at X"), notes);
  }

  @Test
  void javaRowsJoinTheRowOfTheirWorkloadAndThreads() {
    Stats nat = new Stats(1e6, 0.9e6, 1.1e6, 30), ort = new Stats(1.2e6, 1.1e6, 1.3e6, 30);
    Stats java = new Stats(3.6e6, 3.5e6, 3.7e6, 25), beside = new Stats(0.9e6, 0.85e6, 0.95e6, 60);
    Measurement b1t1 = new Measurement(B1, 1, Map.of(Contender.NATIVE, nat, Contender.ORT, ort),
        Map.of(Contender.NATIVE, 1e-6), "1.0");
    Measurement b1t2 = new Measurement(B1, 2, Map.of(Contender.NATIVE, nat, Contender.ORT, ort), Map.of(), "1.0");
    Measurement b8t1 = new Measurement(B8, 1, Map.of(Contender.NATIVE, nat, Contender.ORT, ort), Map.of(), "1.0");
    Measurement javaB1t2 = new Measurement(B1, 2, Map.of(Contender.JAVA, java), Map.of(Contender.JAVA, 2e-6), "2.0",
        beside);
    List<Measurement> joined = SideBySideFork.join(List.of(b1t1, b1t2, b8t1), List.of(javaB1t2));
    assertEquals(List.of(b1t1, b8t1), List.of(joined.get(0), joined.get(2)), "no Java row: unchanged");
    Measurement m = joined.get(1);
    assertEquals(Map.of(Contender.NATIVE, nat, Contender.JAVA, java, Contender.ORT, ort), m.stats());
    assertEquals(Map.of(Contender.JAVA, 2e-6), m.relDiff());
    assertEquals("1.0", m.load(), "the native / ORT row's load");
    assertSame(beside, m.nativeBesideJava());
    assertEquals(4.0, m.javaOverNative(), 1e-12, "Java over the native measured beside it, not the other JVM's");
    assertEquals(3.6, b1t2.withJava(new Measurement(B1, 2, Map.of(Contender.JAVA, java), Map.of(), "2.0"))
        .javaOverNative(), 1e-12, "no native beside Java: this row's native");
    assertThrows(IllegalArgumentException.class, () -> b1t1.withJava(javaB1t2));
  }

  @Test
  void aRowOfNoKnownWorkloadIsAnError() {
    List<String> lines = SideBySideFork.lines(MODEL, List.of(new Measurement(B8, 1, Map.of(), Map.of(), "0")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SideBySideFork.read(lines, List.of(LAYER), new ArrayList<>()));
    assertTrue(e.getMessage().contains("resnet18 batch 8"), e.getMessage());
  }

  private static Measurement row(Workload w, int threads, double nat, double ort) {
    return new Measurement(w, threads, Map.of(Contender.NATIVE, new Stats(nat, nat, nat, 30), Contender.ORT,
        new Stats(ort, ort, ort, 30)), Map.of(), "1.0");
  }

  @Test
  void severalProcessesKeepTheMedianProcessPerRow() {
    List<Measurement> p1 = List.of(row(B1, 1, 1.2e6, 1e6), row(B1, 2, 0.5e6, 1e6));
    List<Measurement> p2 = List.of(row(B1, 1, 0.9e6, 1e6), row(B1, 2, 0.7e6, 1e6));
    List<Measurement> p3 = List.of(row(B1, 1, 1.0e6, 1e6), row(B1, 2, 0.6e6, 1e6));
    List<String> notes = new ArrayList<>();
    List<Measurement> rows = SideBySideFork.medianProcess(List.of(p1, p2, p3), notes);
    assertEquals(List.of(p3.get(0), p3.get(1)), rows, "ratios 1.2 / 0.9 / 1.0 and 0.5 / 0.7 / 0.6: the third");
    assertEquals(List.of("ResNet-18 b1 at 1 threads: native/ORT per process 1.20 (1.20 / 1.00 ms), 0.90 (0.90 / 1.00"
        + " ms), 1.00 (1.00 / 1.00 ms) (3 of 3 processes; the row is the median one, 1.00)",
        "ResNet-18 b1 at 2 threads: native/ORT per process 0.50 (0.50 / 1.00 ms), 0.70 (0.70 / 1.00 ms), 0.60 (0.60"
        + " / 1.00 ms) (3 of 3 processes; the row is the median one, 0.60)"), notes);
    assertEquals("0.55 (139.1 / 253.9 µs)", SideBySideFork.ratioAndTimes(row(B1, 1, 139.1e3, 253.9e3)),
        "under a millisecond: microseconds");

    // two processes: the lower of the two; a row one process lost still comes from the others
    notes.clear();
    rows = SideBySideFork.medianProcess(List.of(List.of(row(B1, 1, 1.2e6, 1e6)),
        List.of(row(B8, 1, 3e6, 2e6), row(B1, 1, 0.8e6, 1e6))), notes);
    assertEquals(List.of(row(B1, 1, 0.8e6, 1e6), row(B8, 1, 3e6, 2e6)), rows);
    assertTrue(notes.get(1).contains("(1 of 2 processes"), notes.get(1));

    // one process: its rows as they are, no notes
    notes.clear();
    assertSame(p1, SideBySideFork.medianProcess(List.of(p1), notes));
    assertTrue(notes.isEmpty());
  }
}
