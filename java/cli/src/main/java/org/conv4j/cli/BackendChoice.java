package org.conv4j.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.conv4j.backend.Backend;
import org.conv4j.backend.BackendKind;
import org.conv4j.backend.Backends;
import org.conv4j.backend.jni.NativeBackend;

/** Turns --backend and --threads into backends, saying on stderr when a fallback happens. */
final class BackendChoice {
  private BackendChoice() {}

  /**
   * The backend for auto, native or java with its threads set (threads 0 keeps the default). Native where it
   * cannot load is an IllegalStateException saying why; auto falling back to Java says so on err.
   */
  static Backend select(String name, int threads, PrintStream err) {
    BackendKind kind = BackendKind.parse("--backend", name);
    String why = NativeBackend.unavailableReason();
    if (kind == BackendKind.AUTO && why != null) err.println("conv4j: using the Java backend because " + why);
    Backend b = Backends.get(kind);
    if (threads > 0) b.setThreads(threads);
    return b;
  }

  /** For bench: native and java for "all" (native left out, with a note, where it cannot load), else one. */
  static List<Backend> selectAll(String name, int threads, PrintStream err) {
    if (!name.equals("all")) return List.of(select(name, threads, err));
    List<Backend> list = new ArrayList<>();
    String why = NativeBackend.unavailableReason();
    if (why == null) list.add(select("native", threads, err));
    else err.println("conv4j: benchmarking the Java backend only because " + why);
    list.add(select("java", threads, err));
    return list;
  }
}
