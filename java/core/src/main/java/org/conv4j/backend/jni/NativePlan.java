package org.conv4j.backend.jni;

import java.lang.ref.Cleaner;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Owns one native plan handle. Runs hold the read lock and close takes the write lock, so a plan closed while
 * another thread runs it is freed only after that run ends; a plan dropped without close() is freed by a Cleaner.
 */
final class NativePlan {
  private static final Cleaner CLEANER = Cleaner.create();

  private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  private final Cleaner.Cleanable cleanable;
  private final String what;
  private long handle;

  NativePlan(long handle, String what) {
    this.handle = handle;
    this.what = what;
    this.cleanable = CLEANER.register(this, new Destroy(handle));
  }

  /** Acquires the plan for a run and returns its handle; pair with {@link #release()}. */
  long acquire() {
    lock.readLock().lock();
    if (handle == 0) {
      lock.readLock().unlock();
      throw new IllegalStateException(what + " plan is closed");
    }
    return handle;
  }

  void release() {
    lock.readLock().unlock();
  }

  void close() {
    lock.writeLock().lock();
    try {
      if (handle != 0) {
        handle = 0;
        cleanable.clean();
      }
    } finally {
      lock.writeLock().unlock();
    }
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
