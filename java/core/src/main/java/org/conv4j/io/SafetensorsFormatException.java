package org.conv4j.io;

import java.io.IOException;

/** A safetensors file that is truncated or whose header is malformed; the message names the file. */
public final class SafetensorsFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public SafetensorsFormatException(String message) {
    super(message);
  }
}
