package org.conv4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.conv4j.backend.jni.NativeBackend;
import org.junit.jupiter.api.Test;

/** Runs in the java-backend-only surefire execution, where the native library is made unavailable. */
class NativeUnavailableTest {
  @Test
  void autoFallsBackToJavaAndNativeSaysWhy() {
    assumeTrue(Boolean.getBoolean(NativeBackend.DISABLE_PROPERTY), "only meaningful with native disabled");
    assertEquals("java", Backends.get(BackendKind.AUTO).name());
    assertTrue(Backends.autoReason().contains(NativeBackend.DISABLE_PROPERTY), Backends.autoReason());
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backends.get(BackendKind.NATIVE));
    assertTrue(e.getMessage().contains("native backend is unavailable"), e.getMessage());
  }
}
