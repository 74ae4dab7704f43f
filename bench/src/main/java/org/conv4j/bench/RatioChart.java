package org.conv4j.bench;

import java.awt.Color;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.knowm.xchart.AnnotationLine;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * The ratio chart (XChart, PNG): one panel per report section, a bar per workload and thread count of conv4j
 * native's median time / ONNX Runtime's (below 1: conv4j is faster), the target as a marker where it is a ratio to
 * ONNX Runtime (an images/s target of k is drawn at 1/k), and a line at 1.
 */
final class RatioChart {
  static final int WIDTH = 1600, PANEL_HEIGHT = 620;

  private RatioChart() {}

  static void write(List<Measurement> rows, String subtitle, Path png) throws IOException {
    List<CategoryChart> panels = new ArrayList<>();
    for (Workload.Section section : Workload.Section.values()) {
      List<Measurement> in = new ArrayList<>();
      for (Measurement m : rows) if (m.workload().section() == section) in.add(m);
      if (!in.isEmpty()) panels.add(panel(section.title + " — " + subtitle, in));
    }
    if (panels.isEmpty()) throw new IllegalArgumentException("rows must not be empty");
    if (png.getParent() != null) Files.createDirectories(png.getParent());
    try (OutputStream out = Files.newOutputStream(png)) {
      BitmapEncoder.saveBitmap(panels, panels.size(), 1, out, BitmapEncoder.BitmapFormat.PNG);
    }
  }

  /** The time ratio a target bounds, for drawing: NaN when the target is not a ratio to ONNX Runtime. */
  static double ratioBound(Target t, int threads) {
    double b = t.bound(threads);
    switch (t.metric()) {
      case NATIVE_TIME_VS_ORT:
        return b;
      case NATIVE_THROUGHPUT_VS_ORT:
        return 1 / b;
      default:
        return Double.NaN;
    }
  }

  static CategoryChart panel(String title, List<Measurement> rows) {
    List<String> categories = new ArrayList<>();
    TreeSet<Integer> threads = new TreeSet<>();
    for (Measurement m : rows) {
      if (!categories.contains(m.workload().chartLabel())) categories.add(m.workload().chartLabel());
      threads.add(m.threads());
    }
    CategoryChart chart = new CategoryChartBuilder().width(WIDTH).height(PANEL_HEIGHT).title(title)
        .xAxisTitle("").yAxisTitle("conv4j native time / ONNX Runtime time").build();
    Styler.ChartTheme theme = Styler.ChartTheme.XChart;
    chart.getStyler().setTheme(theme.newInstance(theme));
    chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
    chart.getStyler().setXAxisLabelRotation(40);
    chart.getStyler().setYAxisMin(0.0);
    chart.getStyler().setYAxisDecimalPattern("0.00");
    chart.getStyler().setOverlapped(false);
    chart.getStyler().setChartBackgroundColor(Color.WHITE);
    Color[] bars = {new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c)};
    Color[] marks = {new Color(0x0b3c61), new Color(0x8a4200), new Color(0x145214)};
    int k = 0;
    for (int t : threads) {
      List<Double> ratio = new ArrayList<>(), bound = new ArrayList<>();
      boolean anyBound = false;
      for (String c : categories) {
        Measurement m = find(rows, c, t);
        Double r = null, b = null;
        if (m != null) {
          double v = m.median(Contender.NATIVE) / m.median(Contender.ORT);
          r = Double.isFinite(v) ? v : null;
          for (Target target : m.workload().targets()) {
            double rb = ratioBound(target, t);
            if (!Double.isNaN(rb)) b = rb;
          }
        }
        ratio.add(r);
        bound.add(b);
        anyBound |= b != null;
      }
      String thr = t + (t == 1 ? " thread" : " threads");
      CategorySeries s = chart.addSeries("native/ORT, " + thr, categories, ratio);
      s.setFillColor(bars[k % bars.length]);
      if (anyBound) {
        CategorySeries ts = chart.addSeries("target, " + thr, categories, bound);
        ts.setChartCategorySeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Scatter);
        ts.setOverlapped(true); // drawn at the category's centre, not in a bar slot of its own
        ts.setMarker(SeriesMarkers.DIAMOND);
        ts.setMarkerColor(marks[k % marks.length]);
      }
      k++;
    }
    chart.addAnnotation(new AnnotationLine(1.0, false, false));
    return chart;
  }

  private static Measurement find(List<Measurement> rows, String chartLabel, int threads) {
    for (Measurement m : rows) {
      if (m.threads() == threads && m.workload().chartLabel().equals(chartLabel)) return m;
    }
    return null;
  }
}
