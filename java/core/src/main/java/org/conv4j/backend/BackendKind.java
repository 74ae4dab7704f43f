package org.conv4j.backend;

import java.util.Locale;

/** Backend choice: AUTO (native when it loads and the CPU has AVX2+FMA, else Java), NATIVE, JAVA. */
public enum BackendKind {
  AUTO, NATIVE, JAVA;

  /** Parses "auto", "native" or "java" (any case), naming the source in the error. */
  public static BackendKind parse(String source, String value) {
    if (value == null) throw new IllegalArgumentException(source + " must be auto, native or java, got null");
    try {
      return valueOf(value.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + " must be auto, native or java, got \"" + value + "\"");
    }
  }
}
