package org.conv4j.backend.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.conv4j.backend.Conv2dAlgorithm;
import org.conv4j.backend.Plan;
import org.conv4j.spec.Activation;
import org.conv4j.spec.Conv2dSpec;
import org.conv4j.spec.ConvTranspose2dSpec;
import org.conv4j.spec.LinearSpec;
import org.junit.jupiter.api.Test;

/**
 * The arena that holds native plans' packed weights on 2 MB-aligned, huge-page-advised memory
 * (native/src/page_arena.cpp): its contract through the native self-test, and every plan kind with large weights
 * taking them from it at prepare and giving them all back at close.
 */
class PageArenaTest extends NativeOpsTestBase {
  private static long used() {
    return NativeLib.c4j_page_arena_bytes(1);
  }

  @Test
  void selfTest() {
    int status = NativeLib.c4j_page_arena_selftest();
    assertEquals(NativeLib.OK, status, () -> "status " + status + ": " + NativeLib.c4j_last_error());
  }

  @Test
  void plansTakeTheirWeightsFromTheArenaAndGiveThemBack() {
    long before = used();
    // 256 -> 256 3x3: 2.4 MB of weights (4x that as WINOGRAD's transformed ones), packed per algorithm
    Conv2dSpec conv = Conv2dSpec.builder(256, 256, 3).padding(1).bias(false).build();
    SplittableRandom r = new SplittableRandom(1);
    float[] w = random(r, (int) conv.weightSize(), 1f);
    for (Conv2dAlgorithm algo : new Conv2dAlgorithm[] {Conv2dAlgorithm.DIRECT, Conv2dAlgorithm.IM2COL_GEMM,
        Conv2dAlgorithm.WINOGRAD}) {
      try (var plan = nat.conv2d(conv, 14, 14, w, null, algo)) {
        long taken = used() - before;
        assertTrue(taken >= 4L * conv.weightSize(), algo + ": arena grew by " + taken + " bytes");
      }
      assertEquals(before, used(), algo + ": bytes left in the arena after close");
    }
    ConvTranspose2dSpec up = ConvTranspose2dSpec.builder(128, 128, 4).stride(2).padding(1).bias(false).build();
    try (Plan plan = nat.convTranspose2d(up, 7, 7, random(r, (int) up.weightSize(), 1f), null)) {
      assertTrue(used() - before >= 4L * up.weightSize(), "conv_transpose2d: arena grew by " + (used() - before));
    }
    assertEquals(before, used(), "conv_transpose2d: bytes left in the arena after close");
    LinearSpec fc = new LinearSpec(1280, 1000, false, Activation.NONE);
    try (Plan plan = nat.linear(fc, random(r, 1280 * 1000, 1f), null)) {
      assertTrue(used() - before >= 4L * 1280 * 1000, "linear: arena grew by " + (used() - before));
    }
    assertEquals(before, used(), "linear: bytes left in the arena after close");
  }
}
