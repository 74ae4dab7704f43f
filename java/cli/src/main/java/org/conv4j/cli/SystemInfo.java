package org.conv4j.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import org.bytedeco.openblas.global.openblas_full;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.conv4j.backend.jni.NativeBackend;

/**
 * What {@code conv4j info} reports, each fact from where it really comes from: the CPU from /proc/cpuinfo (Linux)
 * and CPUID through the native library, OpenBLAS from the library itself. Facts that cannot be had here are
 * reported as such, never guessed.
 */
final class SystemInfo {
  private SystemInfo() {}

  /** The conv4j version this jar was built as. */
  static String version() {
    try (InputStream in = SystemInfo.class.getResourceAsStream("version.properties")) {
      if (in == null) return "unknown";
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }

  /** CPU model and ISA flags as the OS reports them; empty fields where /proc/cpuinfo is not readable. */
  record Cpu(String model, Set<String> flags, int logicalCores) {
    boolean has(String flag) {
      return flags.contains(flag);
    }

    /** "yes", "no", or "unknown" when the flags could not be read. */
    String yesNo(String flag) {
      return flags.isEmpty() ? "unknown" : has(flag) ? "yes" : "no";
    }
  }

  static Cpu cpu() {
    String model = null;
    Set<String> flags = new HashSet<>();
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
      for (String line : lines) {
        int colon = line.indexOf(':');
        if (colon < 0) continue;
        String key = line.substring(0, colon).trim(), value = line.substring(colon + 1).trim();
        if (model == null && key.equals("model name")) model = value;
        if (flags.isEmpty() && key.equals("flags")) flags.addAll(Arrays.asList(value.split("\\s+")));
      }
    } catch (IOException | SecurityException e) {
      // not Linux, or not allowed: only CPUID through the native library is left
    }
    if (NativeBackend.unavailableReason() == null) {
      String brand = NativeBackend.cpuBrand().trim();
      if (!brand.isEmpty()) model = brand; // CPUID's brand string is the more complete one
    }
    if (model == null) model = System.getProperty("os.arch") + " (model unknown)";
    return new Cpu(model, flags, Runtime.getRuntime().availableProcessors());
  }

  /** OpenBLAS as loaded: its own configuration string, core, thread count and threading model. */
  record OpenBlas(String config, String core, int threads, String parallel, String unavailable) {}

  /**
   * Asks the loaded OpenBLAS through the preset's openblas_full binding (the nolapack binding conv4j links
   * against maps no openblas_get_* function). Both bindings share the one libopenblas.so.0 the process loads.
   */
  static OpenBlas openBlas() {
    try {
      String config = openblas_full.openblas_get_config().getString().trim();
      String core = openblas_full.openblas_get_corename().getString().trim();
      int threads = openblas_full.openblas_get_num_threads();
      int p = openblas_full.openblas_get_parallel();
      String parallel = p == 0 ? "sequential" : p == 1 ? "pthreads" : p == 2 ? "OpenMP" : "mode " + p;
      return new OpenBlas(config, core, threads, parallel, null);
    } catch (Throwable t) {
      // the preset's compile-time version constant is inlined here and needs no native library
      return new OpenBlas(openblas_nolapack.OPENBLAS_VERSION.trim(), null, -1, null,
          "its runtime configuration cannot be read (" + t + ")");
    }
  }
}
