package org.conv4j.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The side-by-side runner's command line. */
record SideBySideOptions(boolean quick, List<Integer> threads, List<String> models, List<Integer> batches,
    List<String> kernels, List<Contender> engines, boolean javaEverywhere, boolean fork, int processes,
    Path childOut, boolean javaPass, Path modelsDir, Path out, Path chart, String command) {
  static final String USAGE = "usage: SideBySide [--quick] [--threads 1,2] [--models " + String.join(",",
      ZooModels.NAMES) + "|none] [--batches 1,8] [--kernels all|none|NAME,...] [--engines native,java,ort]"
      + " [--java-everywhere] [--no-fork] [--processes 1] [--models-dir bench/models] [--out bench/RESULTS.md]"
      + " [--chart bench/results-ratio.png] [--command TEXT]";

  Alternation.Schedule schedule() {
    return quick ? Alternation.Schedule.QUICK : Alternation.Schedule.FULL;
  }

  static SideBySideOptions parse(String[] args) {
    boolean inRepo = Files.isRegularFile(Path.of("bench", "pom.xml"));
    Path base = inRepo ? Path.of("bench") : Path.of(".");
    boolean quick = false, javaEverywhere = false, fork = true;
    int processes = 1;
    Path childOut = null;
    boolean javaPass = false;
    List<Integer> threads = List.of(1, 2);
    List<String> models = ZooModels.NAMES;
    List<Integer> batches = List.of(1, 8);
    List<String> kernels = List.of("all");
    List<Contender> engines = List.of(Contender.NATIVE, Contender.JAVA, Contender.ORT);
    Path modelsDir = base.resolve("models");
    Path out = base.resolve("RESULTS.md");
    Path chart = null;
    String command = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--quick") || a.equals("--java-everywhere") || a.equals("--no-fork")
          || a.equals(SideBySideFork.JAVA_PASS_OPTION)) {
        quick |= a.equals("--quick");
        javaPass |= a.equals(SideBySideFork.JAVA_PASS_OPTION);
        javaEverywhere |= a.equals("--java-everywhere");
        fork &= !a.equals("--no-fork");
        continue;
      }
      if (i + 1 >= args.length) throw new IllegalArgumentException(a + " needs a value");
      String v = args[++i];
      switch (a) {
        case "--threads": threads = positiveInts(a, v); break;
        case "--batches": batches = positiveInts(a, v); break;
        case "--processes": {
          if (!v.matches("[1-9]")) throw new IllegalArgumentException("--processes must be 1-9, got \"" + v + "\"");
          processes = Integer.parseInt(v);
          break;
        }
        case "--models": models = v.equals("none") ? List.of() : list(a, v); break;
        case "--kernels": kernels = v.equals("none") ? List.of() : list(a, v); break;
        case "--engines": {
          List<Contender> e = new ArrayList<>();
          for (String s : list(a, v)) e.add(Contender.parse(s));
          if (!e.contains(Contender.ORT)) {
            throw new IllegalArgumentException("--engines must include ort (every ratio is to ONNX Runtime), got "
                + v);
          }
          engines = e.stream().distinct().sorted().toList();
          break;
        }
        case "--models-dir": modelsDir = Path.of(v); break;
        case "--out": out = Path.of(v); break;
        case "--chart": chart = Path.of(v); break;
        case "--command": command = v; break;
        case SideBySideFork.CHILD_OPTION: childOut = Path.of(v); break;
        default: throw new IllegalArgumentException("unknown option \"" + a + "\"");
      }
    }
    if (chart == null) chart = (out.getParent() == null ? Path.of(".") : out.getParent()).resolve("results-ratio.png");
    if (command == null) command = "java org.conv4j.bench.SideBySide " + String.join(" ", args);
    if (processes > 1 && !fork) {
      throw new IllegalArgumentException("--processes " + processes + " needs child JVMs; --no-fork measures in this"
          + " one");
    }
    if (javaPass && !engines.contains(Contender.JAVA)) {
      throw new IllegalArgumentException(SideBySideFork.JAVA_PASS_OPTION + " needs java among --engines, got "
          + engines);
    }
    return new SideBySideOptions(quick, threads, models, batches, kernels, engines, javaEverywhere, fork, processes,
        childOut, javaPass, modelsDir, out, chart, command);
  }

  private static List<String> list(String option, String value) {
    List<String> items = Arrays.stream(value.split(",")).map(String::trim).filter(x -> !x.isEmpty()).toList();
    if (items.isEmpty()) {
      throw new IllegalArgumentException(option + " needs a comma-separated list, got \"" + value + "\"");
    }
    return items;
  }

  private static List<Integer> positiveInts(String option, String value) {
    List<Integer> out = new ArrayList<>();
    for (String s : list(option, value)) {
      if (!s.matches("[1-9][0-9]{0,3}")) {
        throw new IllegalArgumentException(option + " entries must be integers in [1, 9999], got \"" + s + "\"");
      }
      out.add(Integer.parseInt(s));
    }
    return List.copyOf(out);
  }
}
