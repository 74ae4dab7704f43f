package org.conv4j.graph;

/** Elementwise binary operators a graph supports, with numpy broadcasting. */
public enum BinaryOp {
  ADD, SUB, MUL, DIV;

  float apply(float a, float b) {
    switch (this) {
      case ADD: return a + b;
      case SUB: return a - b;
      case MUL: return a * b;
      case DIV: return a / b;
      default: throw new AssertionError(this);
    }
  }
}
