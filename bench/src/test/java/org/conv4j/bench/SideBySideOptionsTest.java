package org.conv4j.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SideBySideOptionsTest {
  @Test
  void defaultsMeasureEverything() {
    SideBySideOptions o = SideBySideOptions.parse(new String[0]);
    assertFalse(o.quick());
    assertEquals(List.of(1, 2), o.threads());
    assertEquals(ZooModels.NAMES, o.models());
    assertEquals(List.of(1, 8), o.batches());
    assertEquals(List.of("all"), o.kernels());
    assertEquals(List.of(Contender.NATIVE, Contender.JAVA, Contender.ORT), o.engines());
    assertEquals("RESULTS.md", o.out().getFileName().toString());
    assertEquals("results-ratio.png", o.chart().getFileName().toString());
    assertEquals(Alternation.Schedule.FULL, o.schedule());
    assertFalse(o.javaEverywhere());
    assertTrue(o.fork(), "each model in a JVM of its own");
    assertEquals(1, o.processes());
    assertEquals(null, o.childOut());
    assertFalse(o.javaPass());
  }

  @Test
  void processesAreOneToNineAndNeedForking() {
    assertEquals(3, SideBySideOptions.parse(new String[] {"--processes", "3"}).processes());
    for (String bad : new String[] {"0", "10", "x", "-1"}) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> SideBySideOptions.parse(new String[] {"--processes", bad}));
      assertEquals("--processes must be 1-9, got \"" + bad + "\"", e.getMessage());
    }
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SideBySideOptions.parse(new String[] {"--processes", "3", "--no-fork"}));
    assertEquals("--processes 3 needs child JVMs; --no-fork measures in this one", e.getMessage());
    assertEquals(1, SideBySideOptions.parse(new String[] {"--processes", "1", "--no-fork"}).processes());
  }

  @Test
  void forkingIsSwitchedOffAndChildrenGetTheirFile() {
    SideBySideOptions o = SideBySideOptions.parse(new String[] {"--no-fork", SideBySideFork.CHILD_OPTION, "/tmp/c",
        SideBySideFork.JAVA_PASS_OPTION});
    assertFalse(o.fork());
    assertEquals(Path.of("/tmp/c"), o.childOut());
    assertTrue(o.javaPass());
  }

  @Test
  void optionsAreRead() {
    SideBySideOptions o = SideBySideOptions.parse(new String[] {"--quick", "--threads", "2", "--models", "none",
        "--kernels", "AVGPOOL7X7_512_7", "--engines", "ort,native", "--out", "/tmp/x/R.md", "--command", "cmd",
        "--java-everywhere"});
    assertTrue(o.quick());
    assertEquals(Alternation.Schedule.QUICK, o.schedule());
    assertEquals(List.of(2), o.threads());
    assertEquals(List.of(), o.models());
    assertEquals(List.of("AVGPOOL7X7_512_7"), o.kernels());
    assertEquals(List.of(Contender.NATIVE, Contender.ORT), o.engines(), "in report order");
    assertEquals(Path.of("/tmp/x/results-ratio.png"), o.chart(), "the chart goes beside the report");
    assertEquals("cmd", o.command());
    assertTrue(o.javaEverywhere());
  }

  @Test
  void badOptionsNameTheOptionAndValue() {
    assertMessage("--threads entries must be integers in [1, 9999], got \"0\"", "--threads", "0");
    assertMessage("--engines must include ort", "--engines", "native,java");
    assertMessage("--engines entries must be native, java or ort, got \"gpu\"", "--engines", "gpu,ort");
    assertMessage("--batches needs a value", "--batches");
    assertMessage("unknown option \"--fast\"", "--fast", "1");
    assertMessage("--java-pass needs java among --engines, got [NATIVE, ORT]", "--engines", "native,ort",
        "--java-pass");
  }

  private static void assertMessage(String expected, String... args) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SideBySideOptions.parse(args));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
