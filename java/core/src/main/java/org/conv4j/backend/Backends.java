package org.conv4j.backend;

import java.lang.System.Logger.Level;
import org.conv4j.backend.java.JavaBackend;
import org.conv4j.backend.jni.NativeBackend;

/**
 * Chooses a backend. {@link #get(BackendKind)} with AUTO returns native when the library loads and the CPU has
 * AVX2+FMA, otherwise Java, logging the reason once. The system property {@value #PROPERTY} (auto, native, java)
 * sets the default. Asking for NATIVE where it cannot load throws an IllegalStateException saying why.
 */
public final class Backends {
  /** System property selecting the default backend. */
  public static final String PROPERTY = "conv4j.backend";

  private static final System.Logger LOG = System.getLogger("org.conv4j");
  private static volatile boolean autoLogged;

  private Backends() {}

  /** The backend named by {@value #PROPERTY}, AUTO when unset. */
  public static Backend defaultBackend() {
    return get(BackendKind.parse("system property " + PROPERTY, System.getProperty(PROPERTY, "auto")));
  }

  public static Backend get(BackendKind kind) {
    switch (kind) {
      case JAVA:
        return JavaBackend.instance();
      case NATIVE:
        return NativeBackend.instance();
      case AUTO:
        String why = NativeBackend.unavailableReason();
        if (why == null) return NativeBackend.instance();
        if (!autoLogged) {
          autoLogged = true;
          LOG.log(Level.INFO, "conv4j: using the Java backend because " + why);
        }
        return JavaBackend.instance();
      default:
        throw new AssertionError(kind);
    }
  }

  public static Backend get(String name) {
    return get(BackendKind.parse("backend", name));
  }

  /** Why AUTO would pick Java, or null when it picks native. */
  public static String autoReason() {
    String why = NativeBackend.unavailableReason();
    return why == null ? "native library loaded and the CPU has AVX2+FMA" : why;
  }
}
