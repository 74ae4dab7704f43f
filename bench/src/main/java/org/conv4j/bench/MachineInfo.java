package org.conv4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.conv4j.backend.jni.NativeBackend;

/**
 * What the numbers were measured on: CPU model and AVX2+FMA from the native library's CPUID when it loads, else
 * from /proc/cpuinfo, and the CPU's family, model and AVX-512F from /proc/cpuinfo; cores, JVM, OS and the load
 * average (the machine may be shared).
 */
public record MachineInfo(String cpu, String isa, int cores, String jvm, String os) {
  private static final Path CPUINFO = Path.of("/proc/cpuinfo");

  public static MachineInfo probe() {
    String why = NativeBackend.unavailableReason();
    String cpu, isa;
    List<String> lines = cpuinfo();
    if (why == null) {
      cpu = NativeBackend.cpuBrand().trim();
      isa = "AVX2+FMA: yes (CPUID; native backend active, conv4j native " + NativeBackend.version() + ")";
    } else {
      cpu = field(lines, "model name");
      Set<String> flags = flags(lines);
      isa = "AVX2+FMA: " + (flags.contains("avx2") && flags.contains("fma") ? "yes" : "no")
          + " (/proc/cpuinfo); native backend unavailable: " + why;
    }
    if (!lines.isEmpty()) isa += "; " + wider(lines);
    return new MachineInfo(cpu, isa, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"),
        System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
  }

  /** The 1, 5 and 15 minute load averages from /proc/loadavg, or "unknown". */
  public static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static List<String> cpuinfo() {
    try {
      return Files.readAllLines(CPUINFO);
    } catch (IOException e) {
      return List.of();
    }
  }

  /**
   * The CPU generation and whether it has AVX-512F, from /proc/cpuinfo: the brand string alone ("AMD EPYC") does not
   * tell a Zen 3 from a Zen 4, and ONNX Runtime's MLAS runs its AVX-512 kernels where the CPU has them, while
   * conv4j's kernels are AVX2/FMA, so the same ratios mean different things on the two.
   */
  static String wider(List<String> lines) {
    String avx512 = flags(lines).contains("avx512f")
        ? "yes (ONNX Runtime's MLAS uses it; conv4j's kernels are AVX2/FMA)"
        : "no";
    return "family " + field(lines, "cpu family") + " model " + field(lines, "model") + ", AVX-512F: " + avx512;
  }

  /** The ISA flags of the first CPU in /proc/cpuinfo. */
  private static Set<String> flags(List<String> lines) {
    return Set.of(field(lines, "flags").split("\\s+"));
  }

  /** The value of the first "key : value" line of /proc/cpuinfo with that key, or "unknown". */
  static String field(List<String> lines, String key) {
    for (String line : lines) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equals(key)) return line.substring(colon + 1).trim();
    }
    return "unknown";
  }
}
