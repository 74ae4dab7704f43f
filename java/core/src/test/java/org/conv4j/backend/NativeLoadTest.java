package org.conv4j.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.conv4j.backend.jni.NativeBackend;
import org.junit.jupiter.api.Test;

class NativeLoadTest {
  @Test
  void nativeLibraryLoadsOnThisMachine() {
    assumeTrue(!Boolean.getBoolean(NativeBackend.DISABLE_PROPERTY), "native deliberately disabled");
    assertEquals(null, NativeBackend.unavailableReason());
    assertEquals("native", Backends.get(BackendKind.AUTO).name());
    System.out.println("CPU: " + NativeBackend.cpuBrand() + ", threads " + NativeBackend.instance().threads());
  }
}
