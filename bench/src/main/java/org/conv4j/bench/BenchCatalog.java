package org.conv4j.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The benchmark families (one JMH class each, by simple name) and their named shapes, in report order. */
public final class BenchCatalog {
  private static final Map<String, List<? extends BenchShape>> FAMILIES = new LinkedHashMap<>();

  static {
    FAMILIES.put(Conv2dBench.class.getSimpleName(), List.of(Conv2dBench.Shape.values()));
    FAMILIES.put(DepthwiseConv2dBench.class.getSimpleName(), List.of(DepthwiseConv2dBench.Shape.values()));
    FAMILIES.put(ConvTranspose2dBench.class.getSimpleName(), List.of(ConvTranspose2dBench.Shape.values()));
    FAMILIES.put(Pool2dBench.class.getSimpleName(), List.of(Pool2dBench.Shape.values()));
    FAMILIES.put(LinearBench.class.getSimpleName(), List.of(LinearBench.Shape.values()));
  }

  private BenchCatalog() {}

  /** Family names (e.g. "Conv2dBench") in report order. */
  public static List<String> families() {
    return List.copyOf(FAMILIES.keySet());
  }

  /** The shapes of a family, in declaration order. */
  public static List<? extends BenchShape> shapes(String family) {
    List<? extends BenchShape> shapes = FAMILIES.get(family);
    if (shapes == null) {
      throw new IllegalArgumentException("family must be one of " + FAMILIES.keySet() + ", got \"" + family + "\"");
    }
    return shapes;
  }

  /** The shape named by a JMH "shape" parameter value (the enum constant name) in a family. */
  public static BenchShape shape(String family, String name) {
    for (BenchShape s : shapes(family)) {
      if (((Enum<?>) s).name().equals(name)) return s;
    }
    throw new IllegalArgumentException("shape \"" + name + "\" is not one of " + family + "'s shapes");
  }

  /** The enum constant name of a shape (its JMH parameter value). */
  public static String name(BenchShape shape) {
    return ((Enum<?>) shape).name();
  }
}
