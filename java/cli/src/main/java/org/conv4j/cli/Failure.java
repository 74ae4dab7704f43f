package org.conv4j.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * How a failed command is reported: one line on stderr and an exit code. Problems with the user's input (flags,
 * files, models, shapes, unsupported operators, a backend that cannot load) exit 2; anything else is a conv4j bug
 * and exits 1. Either way the stack trace is printed only with --verbose.
 */
final class Failure {
  static final int USER_ERROR = 2, INTERNAL_ERROR = 1;

  private Failure() {}

  static int exitCode(Throwable t) {
    Throwable c = unwrap(t);
    boolean user = c instanceof UsageException || c instanceof IllegalArgumentException
        || c instanceof IllegalStateException || c instanceof UnsupportedOperationException
        || c instanceof IOException || c instanceof OutOfMemoryError;
    return user ? USER_ERROR : INTERNAL_ERROR;
  }

  /** The message as one line, without the exception's class name unless there is no message. */
  static String oneLine(Throwable t) {
    Throwable c = unwrap(t);
    String m;
    if (c instanceof NoSuchFileException) {
      m = ((NoSuchFileException) c).getFile() + ": no such file";
    } else if (c instanceof AccessDeniedException) {
      m = ((AccessDeniedException) c).getFile() + ": permission denied";
    } else if (c instanceof FileSystemException && ((FileSystemException) c).getReason() != null) {
      FileSystemException f = (FileSystemException) c;
      m = f.getFile() + ": " + f.getReason();
    } else if (c instanceof OutOfMemoryError) {
      m = "out of memory (" + c.getMessage() + "); try a smaller --batch or a larger java -Xmx";
    } else if (c.getMessage() == null || c.getMessage().isBlank()) {
      m = c.getClass().getName();
    } else {
      m = c.getMessage();
    }
    if (exitCode(t) == INTERNAL_ERROR) {
      m = "internal error: " + c.getClass().getName() + ": " + m + " (rerun with --verbose for the stack trace)";
    }
    return m.strip().replaceAll("\\s*[\\r\\n]+\\s*", "; ");
  }

  private static Throwable unwrap(Throwable t) {
    if (t instanceof UncheckedIOException && t.getCause() != null) return t.getCause();
    return t;
  }
}
