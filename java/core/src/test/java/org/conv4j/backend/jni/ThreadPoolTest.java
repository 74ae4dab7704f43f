package org.conv4j.backend.jni;

import static org.conv4j.spec.Rejections.assertRejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
import org.conv4j.backend.Backend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The native thread pool (native/src/thread_pool.cpp) through its test hooks: every index of parallel_for covered
 * exactly once for n = 0.. a few thousand, with and without a cost hint, nested, from several concurrent callers, at
 * several pool sizes set while idle; and a caller that finds the pool busy runs inline instead of waiting for it.
 * Each case runs under a timeout, so a deadlock fails instead of hanging the build.
 */
class ThreadPoolTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private int threads;

  @BeforeAll
  static void nativeAvailable() {
    assumeTrue(NativeBackend.unavailableReason() == null, () -> "native: " + NativeBackend.unavailableReason());
  }

  @BeforeEach
  void saveThreads() {
    threads = NativeBackend.instance().threads();
  }

  @AfterEach
  void restoreThreads() {
    NativeBackend.instance().setThreads(threads);
  }

  private static void ok(int status) {
    assertEquals(NativeLib.OK, status, () -> "status " + status + ": " + NativeLib.c4j_last_error());
  }

  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {1, 2, 3, 4, 7})
  void everyIndexOnceFromOneCaller(int n) {
    NativeBackend.instance().setThreads(n);
    assertEquals(n, NativeBackend.instance().threads());
    assertTimeoutPreemptively(TIMEOUT, () -> {
      ok(NativeLib.c4j_thread_pool_selftest(5000, 1, 4, -1, 0));
      ok(NativeLib.c4j_thread_pool_selftest(5000, 1, 2, 1, 0)); // cost hint: tiny units, mostly inline
      ok(NativeLib.c4j_thread_pool_selftest(5000, 1, 2, 20000, 0)); // cost hint: every unit worth a chunk
      ok(NativeLib.c4j_thread_pool_selftest(5000, 1, 2, 1 << 20, 0)); // coarse units: up to 16 chunks a thread
    });
  }

  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {1, 2, 4})
  void everyIndexOnceFromConcurrentCallers(int n) {
    NativeBackend.instance().setThreads(n);
    assertTimeoutPreemptively(TIMEOUT, () -> {
      ok(NativeLib.c4j_thread_pool_selftest(3000, 2, 3, -1, 0));
      ok(NativeLib.c4j_thread_pool_selftest(3000, 4, 2, -1, 0));
      ok(NativeLib.c4j_thread_pool_selftest(3000, 3, 2, 20000, 0));
      ok(NativeLib.c4j_thread_pool_selftest(3000, 2, 2, 1 << 20, 0));
    });
  }

  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {1, 2, 3})
  void nestedParallelForCoversAndDoesNotDeadlock(int n) {
    NativeBackend.instance().setThreads(n);
    assertTimeoutPreemptively(TIMEOUT, () -> {
      ok(NativeLib.c4j_thread_pool_selftest(2000, 1, 2, -1, 1));
      ok(NativeLib.c4j_thread_pool_selftest(2000, 3, 2, -1, 1));
    });
  }

  @ParameterizedTest(name = "{0} threads")
  @ValueSource(ints = {2, 3, 4})
  void callerFindingThePoolBusyRunsInline(int n) {
    NativeBackend.instance().setThreads(n);
    assertTimeoutPreemptively(TIMEOUT, () -> {
      for (long size : new long[] {2, 3, 64, 1000}) ok(NativeLib.c4j_thread_pool_selftest_busy(size));
    });
  }

  @Test
  void resizingWhileIdleBetweenJobsKeepsCoverage() {
    assertTimeoutPreemptively(TIMEOUT, () -> {
      for (int round = 0; round < 20; round++) {
        int n = 1 + round % 5;
        NativeBackend.instance().setThreads(n);
        assertEquals(n, NativeBackend.instance().threads());
        ok(NativeLib.c4j_thread_pool_selftest(200, 1, 1, -1, 0));
      }
    });
  }

  /**
   * Java refuses a thread count outside 1..MAX_THREADS with the values named, before native would try to start that
   * many threads; native itself clamps what reaches it from below (the C API's callers are not all this library's
   * Java; the upper clamp is not exercised here: it starts 1023 threads).
   */
  @Test
  void threadCountsOutsideTheRangeAreRejectedAndClamped() {
    NativeBackend.instance().setThreads(2);
    assertRejected(() -> NativeBackend.instance().setThreads(0), "threads", "between 1 and 1024", "got 0");
    assertRejected(() -> NativeBackend.instance().setThreads(Backend.MAX_THREADS + 1), "threads", "got 1025");
    assertEquals(2, NativeBackend.instance().threads(), "a refused count leaves the pool as it was");
    NativeLib.c4j_set_num_threads(0);
    assertEquals(1, NativeLib.c4j_get_num_threads());
    NativeLib.c4j_set_num_threads(-7);
    assertEquals(1, NativeLib.c4j_get_num_threads());
    NativeBackend.instance().setThreads(2);
    assertTimeoutPreemptively(TIMEOUT, () -> ok(NativeLib.c4j_thread_pool_selftest(500, 1, 1, -1, 0)));
  }

  @Test
  void hooksRejectBadArguments() {
    assertEquals(NativeLib.ERR_ARG, NativeLib.c4j_thread_pool_selftest(-1, 1, 1, -1, 0));
    assertEquals(NativeLib.ERR_ARG, NativeLib.c4j_thread_pool_selftest_busy(1));
  }
}
