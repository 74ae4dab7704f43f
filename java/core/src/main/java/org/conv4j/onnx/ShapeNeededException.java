package org.conv4j.onnx;

/**
 * An import step needs an input dimension that the file leaves symbolic (e.g. a Shape node reading the image
 * height of a model exported with dynamic height). Such a model converts once the input shape is given.
 */
final class ShapeNeededException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  ShapeNeededException(String message) {
    super(message);
  }
}
