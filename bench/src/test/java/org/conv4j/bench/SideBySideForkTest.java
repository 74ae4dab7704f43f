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
        "/tmp/c.png", "--kernels", "all", "--command", "x y", "--engines", "native,ort"};
    assertEquals(List.of("--quick", "--threads", "1", "--engines", "native,ort", "--models", "resnet18", "--kernels",
        "none"), SideBySideFork.childArgs(parent, List.of(MODEL)));
    assertEquals(List.of("--models", "none", "--kernels", "conv_a"),
        SideBySideFork.childArgs(new String[] {"--models", "vgg16"}, List.of(LAYER)));
    assertEquals(List.of("--models", "resnet18", "--kernels", "conv_a"),
        SideBySideFork.childArgs(new String[0], List.of(LAYER, MODEL)));
  }

  @Test
  void rowsAndNotesSurviveTheResultFile() {
    Measurement a = new Measurement(B1, 2, Map.of(Contender.NATIVE, new Stats(1.5e6, 1.4e6, 1.75e6, 31),
        Contender.ORT, new Stats(2.0e6 / 3, 0.6e6, 0.7e6, 29)), Map.of(Contender.NATIVE, 3.25e-7), "1.07");
    Measurement b = new Measurement(B8, 1, Map.of(Contender.ORT, new Stats(9e6, 8e6, 10e6, 5)), Map.of(), "0.5");
    List<String> lines = new ArrayList<>(SideBySideFork.lines(MODEL, List.of(a, b)));
    lines.addAll(SideBySideFork.noteLines(List.of("conv4j Java failed:\n\tat X")));
    List<String> notes = new ArrayList<>();
    List<Measurement> back = SideBySideFork.read(lines, List.of(LAYER, MODEL), notes);
    assertEquals(List.of(a, b), back);
    assertSame(B8, back.get(1).workload(), "the parent's own workload object");
    assertEquals(List.of("conv4j Java failed:  at X"), notes);
  }

  @Test
  void aRowOfNoKnownWorkloadIsAnError() {
    List<String> lines = SideBySideFork.lines(MODEL, List.of(new Measurement(B8, 1, Map.of(), Map.of(), "0")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SideBySideFork.read(lines, List.of(LAYER), new ArrayList<>()));
    assertTrue(e.getMessage().contains("resnet18 batch 8"), e.getMessage());
  }
}
