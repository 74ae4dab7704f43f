package org.conv4j.graph;

/**
 * A handle to one value (tensor) of a graph under construction: the graph input, a constant or a node's output.
 * Handles belong to the {@link Graph.Builder} that made them; passing one to another builder is an error. Shapes
 * are not known here: they are inferred when the graph is prepared for a concrete input shape.
 */
public final class Value {
  final Object owner;
  final int id;
  private final String name;

  Value(Object owner, int id, String name) {
    this.owner = owner;
    this.id = id;
    this.name = name;
  }

  /** The name of the input, constant or producing node. */
  public String name() {
    return name;
  }

  @Override
  public String toString() {
    return "Value(" + name + ")";
  }
}
