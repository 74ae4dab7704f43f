package org.conv4j.backend.jni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.time.Duration;
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

  @Test
  void hooksRejectBadArguments() {
    assertEquals(NativeLib.ERR_ARG, NativeLib.c4j_thread_pool_selftest(-1, 1, 1, -1, 0));
    assertEquals(NativeLib.ERR_ARG, NativeLib.c4j_thread_pool_selftest_busy(1));
  }
}
