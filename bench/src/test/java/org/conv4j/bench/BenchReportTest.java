package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Command-line parsing and bookkeeping of the report; no benchmark runs here. */
class BenchReportTest {
  @Test
  void defaultsMeasureEverythingOnBothBackendsAtOneAndTwoThreads() {
    BenchReport.Settings s = BenchReport.parse(new String[0]);
    assertFalse(s.quick());
    assertEquals(BenchCatalog.families(), s.families());
    assertEquals(List.of("native", "java"), s.backends());
    assertEquals(List.of("1", "2"), s.threads());
    assertEquals(3, s.warmupIterations());
    assertEquals(5, s.measurementIterations());
    assertEquals("RESULTS-kernels.md", s.out().getFileName().toString());
  }

  @Test
  void optionsAreRead() {
    BenchReport.Settings s = BenchReport.parse(new String[] {
        "--quick", "--families", "Conv2dBench,Pool2dBench", "--backends", "java", "--threads", "2",
        "--out", "/tmp/r.md", "--json", "/tmp/r.json"});
    assertTrue(s.quick());
    assertEquals(1, s.warmupIterations());
    assertEquals(List.of("Conv2dBench", "Pool2dBench"), s.families());
    assertEquals(List.of("java"), s.backends());
    assertEquals(List.of("2"), s.threads());
    assertEquals(Path.of("/tmp/r.md"), s.out());
    assertEquals(Path.of("/tmp/r.json"), s.json());
  }

  @Test
  void includeRegexSelectsExactlyTheChosenFamilies() {
    Pattern p = Pattern.compile(BenchReport.parse(new String[] {"--families", "Conv2dBench"}).includeRegex());
    assertTrue(p.matcher("org.conv4j.bench.Conv2dBench.run").find());
    assertFalse(p.matcher("org.conv4j.bench.DepthwiseConv2dBench.run").find());
    assertFalse(p.matcher("org.conv4j.bench.ConvTranspose2dBench.run").find());
  }

  @Test
  void badOptionsNameTheOptionAndValue() {
    assertMessage("--backends entries must be native or java, got \"gpu\"", "--backends", "gpu");
    assertMessage("--threads entries must be integers >= 1, got \"0\"", "--threads", "1,0");
    assertMessage("family must be one of", "--families", "FooBench");
    assertMessage("unknown option \"--fast\"", "--fast", "x");
    assertMessage("--out needs a value", "--out");
  }

  private static void assertMessage(String expected, String... args) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BenchReport.parse(args));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void configurationsWithoutAResultAreListed() {
    BenchReport.Settings s = BenchReport.parse(new String[] {"--families", "LinearBench", "--threads", "1"});
    List<ResultRow> rows = List.of(
        new ResultRow("LinearBench", LinearBench.Shape.RESNET18_FC_512_1000, "java", 1, 100, 10, ""));
    List<String> missing = BenchReport.missing(s, List.of("java"), rows);
    assertEquals(LinearBench.Shape.values().length - 1, missing.size());
    assertTrue(missing.get(0).endsWith("LinearBench MOBILENETV2_FC_1280_1000 java threads=1"), missing.get(0));
  }

  @Test
  void cpuinfoFieldsAreRead() {
    List<String> lines = List.of("processor\t: 0", "model name\t: AMD EPYC 7B13", "flags\t\t: fpu avx2 fma");
    assertEquals("AMD EPYC 7B13", MachineInfo.field(lines, "model name"));
    assertEquals("fpu avx2 fma", MachineInfo.field(lines, "flags"));
    assertEquals("unknown", MachineInfo.field(lines, "cpu MHz"));
  }

  @Test
  void cpuGenerationAndAvx512AreNamed() {
    List<String> zen3 = List.of("cpu family\t: 25", "model\t\t: 1", "model name\t: AMD EPYC 7B13",
        "flags\t\t: fpu avx2 fma");
    assertEquals("family 25 model 1, AVX-512F: no", MachineInfo.wider(zen3));
    List<String> zen4 = List.of("cpu family\t: 25", "model\t\t: 17", "model name\t: AMD EPYC",
        "flags\t\t: fpu avx2 fma avx512f avx512vl");
    assertTrue(MachineInfo.wider(zen4).startsWith("family 25 model 17, AVX-512F: yes"), MachineInfo.wider(zen4));
  }
}
