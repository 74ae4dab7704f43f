package org.conv4j.bench;

import static org.conv4j.bench.TargetTest.measured;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RatioChartTest {
  @TempDir
  Path dir;

  @Test
  void writesOnePngPanelPerSectionWithRows() throws Exception {
    Target t = new Target(Target.Metric.NATIVE_TIME_VS_ORT, 0.8, 0.85);
    Path png = dir.resolve("sub/ratio.png");
    RatioChart.write(List.of(measured(1, 1, 8, 0, 10, t), measured(1, 2, 12, 0, 10, t)), "test", png);
    BufferedImage img = ImageIO.read(png.toFile());
    assertEquals(RatioChart.WIDTH, img.getWidth());
    assertEquals(RatioChart.PANEL_HEIGHT, img.getHeight(), "only the models section has rows");
  }

  @Test
  void targetsAreDrawnAsTimeRatios() {
    assertEquals(0.85, RatioChart.ratioBound(new Target(Target.Metric.NATIVE_TIME_VS_ORT, 0.8, 0.85), 2));
    assertEquals(0.8, RatioChart.ratioBound(Target.of(Target.Metric.NATIVE_THROUGHPUT_VS_ORT, 1.25), 1), 1e-12);
    assertEquals(Double.NaN, RatioChart.ratioBound(new Target(Target.Metric.NATIVE_GFLOPS, 60, 110), 1));
  }

  @Test
  void noRowsIsAnError() {
    assertThrows(IllegalArgumentException.class, () -> RatioChart.write(List.of(), "x", dir.resolve("a.png")));
  }
}
