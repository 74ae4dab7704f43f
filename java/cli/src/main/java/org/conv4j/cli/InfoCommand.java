package org.conv4j.cli;

import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.conv4j.backend.BackendKind;
import org.conv4j.backend.Backends;
import org.conv4j.backend.jni.NativeBackend;

/** {@code conv4j info}: versions, the backend AUTO picks and why, the CPU, OpenBLAS and thread counts. */
final class InfoCommand implements Command {
  @Override
  public String name() {
    return "info";
  }

  @Override
  public String summary() {
    return "versions, the backend auto selects and why, CPU features, OpenBLAS, threads";
  }

  @Override
  public String help() {
    return String.join("\n",
        "usage: conv4j info",
        "",
        "Prints the conv4j version, the backend `auto` selects here and why, the CPU model and whether it has",
        "AVX2 and FMA, the OpenBLAS version, configuration and thread count, and the threads each conv4j backend",
        "uses. Takes no flags besides --help and --verbose.",
        "");
  }

  @Override
  public Set<String> valuedFlags() {
    return Set.of();
  }

  @Override
  public Set<String> switches() {
    return Set.of();
  }

  @Override
  public void run(Args args, PrintStream out, PrintStream err) {
    Map<String, String> rows = new LinkedHashMap<>();
    String why = NativeBackend.unavailableReason();
    rows.put("conv4j", SystemInfo.version()
        + (why == null ? " (native library " + NativeBackend.version() + ")" : " (native library not loaded)"));
    rows.put("backend (auto)", Backends.get(BackendKind.AUTO).name() + ": " + Backends.autoReason());
    SystemInfo.Cpu cpu = SystemInfo.cpu();
    rows.put("CPU", cpu.model() + ", " + cpu.logicalCores() + " logical cores");
    rows.put("CPU features", "AVX2 " + cpu.yesNo("avx2") + ", FMA " + cpu.yesNo("fma")
        + (cpu.flags().isEmpty() ? " (/proc/cpuinfo not readable)" : "") + (why == null ? ", CPUID AVX2+FMA yes" : ""));
    // conv4j's native pool sets OpenBLAS to one thread when it starts: ask for the count after it has
    int nativeThreads = why == null ? NativeBackend.instance().threads() : 0;
    int javaThreads = Backends.get(BackendKind.JAVA).threads();
    SystemInfo.OpenBlas blas = SystemInfo.openBlas();
    if (blas.unavailable() == null) {
      rows.put("OpenBLAS", blas.config());
      rows.put("OpenBLAS core", blas.core() + " (chosen at run time)");
      rows.put("OpenBLAS threads", blas.threads() + " (" + blas.parallel() + ")"
          + (why == null ? "; conv4j calls it single-threaded from its own worker threads" : ""));
    } else {
      rows.put("OpenBLAS", blas.config() + "; " + blas.unavailable());
    }
    rows.put("conv4j threads", (why == null ? "native " + nativeThreads + ", " : "") + "java " + javaThreads
        + " (set with --threads)");
    rows.put("Java", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version")
        + ", " + System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    int width = rows.keySet().stream().mapToInt(String::length).max().orElse(0);
    rows.forEach((k, v) -> out.println(k + ":" + " ".repeat(width - k.length() + 1) + v));
  }
}
