package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The workloads the side-by-side runner measures and the targets attached to them. */
class SideBySideCatalogTest {
  @TempDir
  Path dir;

  @Test
  void layersCoverTheIssuesShapesWithTheirTargets() {
    List<Subject> all = SideBySideKernels.all();
    Set<String> names = new HashSet<>(), charts = new HashSet<>();
    int dense3x3 = 0, depthwise = 0, atMostOrt = 0;
    for (Subject s : all) {
      assertTrue(names.add(s.name()), "duplicate name " + s.name());
      assertEquals(1, s.workloads().size());
      Workload w = s.workloads().get(0);
      assertTrue(charts.add(w.chartLabel()), "duplicate chart label " + w.chartLabel());
      assertEquals(1, w.batch());
      assertTrue(w.flopsPerImage() > 0, w.label());
      if (w.targets().contains(SideBySideKernels.DENSE_3X3)) dense3x3++;
      if (w.targets().contains(SideBySideKernels.DEPTHWISE)) depthwise++;
      if (w.targets().contains(SideBySideKernels.AT_MOST_ORT)) atMostOrt++;
    }
    assertEquals(5, dense3x3, "3x3 s1 at 56/28/14/7 (ResNet-18) and 14 (VGG-16 conv5)");
    assertEquals(8, depthwise, "depthwise 3x3 s1 and s2, MobileNetV2's large and small planes");
    assertEquals(2 + 5, atMostOrt, "two transposed convolutions and five poolings");
    for (String c : List.of("7x7 s2 3->64 @224", "1x1 64->256 @56", "3x3 d2 256->256 @28", "dw 3x3 s2 96 @112", "dw 3x3 960 @7",
        "convT 4x4 s2 256->128 @14", "convT 3x3 s2 op1 128->64 @28", "max 3x3 s2 64 @112", "avg 2x2 128 @56")) {
      assertTrue(charts.contains(c), c + " missing from " + charts);
    }
  }

  @Test
  void zooModelsReadTheExportersPropertiesAndGetTheirTargets() throws IOException {
    Files.write(dir.resolve("resnet18.onnx"), new byte[] {1});
    Files.writeString(dir.resolve("resnet18.properties"), "name=ResNet-18\ninput=3,224,224\nmacs=1814073344\n");
    List<Subject> s = ZooModels.load(dir, List.of("resnet18"), List.of(1, 8, 4));
    assertEquals(1, s.size());
    assertEquals(dir.resolve("resnet18.onnx"), s.get(0).file());
    List<Workload> w = s.get(0).workloads();
    assertEquals(List.of(1, 8, 4), w.stream().map(Workload::batch).toList());
    assertEquals(2 * 1814073344L, w.get(0).flopsPerImage());
    assertEquals("ResNet-18 b8", w.get(1).chartLabel());
    assertEquals(0.80, w.get(0).target(Target.Metric.NATIVE_TIME_VS_ORT).bound(1));
    assertEquals(0.85, w.get(0).target(Target.Metric.NATIVE_TIME_VS_ORT).bound(2));
    assertEquals(4.0, w.get(0).target(Target.Metric.JAVA_TIME_VS_NATIVE).bound(1));
    assertTrue(Double.isNaN(w.get(0).target(Target.Metric.JAVA_TIME_VS_NATIVE).bound(2)), "no 2-thread Java bound");
    assertEquals(1.25, w.get(1).target(Target.Metric.NATIVE_THROUGHPUT_VS_ORT).bound(2));
    assertEquals(List.of(), w.get(2).targets(), "no targets at batch 4");
    assertTrue(SideBySide.javaMeasures(w.get(0), false));
    assertTrue(SideBySide.javaMeasures(w.get(1), false), "ResNet-18 b8 has a Java target");
    assertFalse(SideBySide.javaMeasures(w.get(2), false));
    assertTrue(SideBySide.javaMeasures(w.get(2), true));
  }

  @Test
  void missingModelFilesSayHowToMakeThem() {
    IOException e = assertThrows(IOException.class, () -> ZooModels.load(dir, List.of("vgg16"), List.of(1)));
    assertTrue(e.getMessage().contains("export_models.py"), e.getMessage());
    IllegalArgumentException u = assertThrows(IllegalArgumentException.class,
        () -> ZooModels.load(dir, List.of("alexnet"), List.of(1)));
    assertTrue(u.getMessage().contains("\"alexnet\""), u.getMessage());
  }

  @Test
  void relativeDifferenceIsScaledByTheReference() {
    assertEquals(0.25, SideBySide.relativeDifference(new float[] {1, 2.5f}, new float[] {1, 2}), 1e-12);
    assertEquals(Double.POSITIVE_INFINITY, SideBySide.relativeDifference(new float[1], new float[2]));
    assertEquals(0, SideBySide.relativeDifference(new float[2], new float[2]));
    assertNull(new Workload(Workload.Section.MODELS, "a", "a", new int[] {1}, 1, 1, List.of())
        .target(Target.Metric.NATIVE_GFLOPS));
  }
}
