package org.conv4j.onnx;

import java.io.IOException;

/**
 * A file that is not a readable ONNX model: truncated or corrupt protobuf, or a model without the parts every ONNX
 * file has (a graph, an opset for the default domain). The message names the file.
 */
public final class OnnxFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public OnnxFormatException(String message, Throwable cause) {
    super(message, cause);
  }

  public OnnxFormatException(String message) {
    super(message);
  }
}
