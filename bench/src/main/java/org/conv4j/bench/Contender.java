package org.conv4j.bench;

/** The three engines the side-by-side comparison alternates, in report order. */
enum Contender {
  NATIVE("conv4j native"),
  JAVA("conv4j Java"),
  ORT("ONNX Runtime");

  final String label;

  Contender(String label) {
    this.label = label;
  }

  /** The contender named on the command line: native, java or ort. */
  static Contender parse(String name) {
    switch (name) {
      case "native": return NATIVE;
      case "java": return JAVA;
      case "ort": return ORT;
      default:
        throw new IllegalArgumentException("--engines entries must be native, java or ort, got \"" + name + "\"");
    }
  }
}
