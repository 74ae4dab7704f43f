package org.conv4j.io;

import java.io.IOException;

/** A .npy file that is truncated or whose preamble or header is malformed; the message names the file. */
public final class NpyFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  public NpyFormatException(String message) {
    super(message);
  }
}
