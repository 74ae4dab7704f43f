package org.conv4j.backend.jni;

import java.lang.ref.Cleaner;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Owns one native plan handle. A run counts itself in (one atomic add, cheaper than a read lock on every step of a
 * model) and out; close marks the plan closed, so no new run starts, then waits for the runs in flight before it
 * frees the handle. A plan dropped without close() is freed by a Cleaner.
 */
final class NativePlan {
  private static final Cleaner CLEANER = Cleaner.create();
  private static final int CLOSED = 1 << 30; // added to the count by close; the rest counts runs in flight

  private final AtomicInteger state = new AtomicInteger();
  private final Cleaner.Cleanable cleanable;
  private final String what;
  private final long handle;

  NativePlan(long handle, String what) {
    this.handle = handle;
    this.what = what;
    this.cleanable = CLEANER.register(this, new Destroy(handle));
  }

  /** Acquires the plan for a run and returns its handle; pair with {@link #release()}. */
  long acquire() {
    if (state.incrementAndGet() >= CLOSED) {
      state.decrementAndGet();
      throw new IllegalStateException(what + " plan is closed");
    }
    return handle;
  }

  void release() {
    state.decrementAndGet();
  }

  void close() {
    int s;
    do {
      s = state.get();
      if (s >= CLOSED) return; // closed already (or being closed by another thread)
    } while (!state.compareAndSet(s, s + CLOSED));
    // runs that acquired before the mark finish first; a late acquire sees the mark and backs out at once
    while (state.get() != CLOSED) LockSupport.parkNanos(50_000);
    cleanable.clean();
  }

  /** Throws when a native call returned an error status: Java validated first, so this is a bug, not bad input. */
  static void check(int status, String what) {
    if (status != NativeLib.OK) {
      throw new IllegalStateException(what + " failed in native code (status " + status + "): "
          + NativeLib.c4j_last_error());
    }
  }

  private static final class Destroy implements Runnable {
    private final long handle;

    Destroy(long handle) {
      this.handle = handle;
    }

    @Override
    public void run() {
      NativeLib.c4j_plan_destroy(handle);
    }
  }
}
