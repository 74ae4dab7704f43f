package org.conv4j.graph;

import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Supplier;

/**
 * A bounded lock-free pool of workspaces that allocates nothing to take or return one (a linked queue would
 * allocate a node per return). Holds up to its capacity of idle workspaces; beyond that, returned ones are dropped
 * for the collector, so a burst of many concurrent runs does not pin memory forever.
 */
final class WorkspacePool<T> {
  private final AtomicReferenceArray<T> idle;
  private final Supplier<T> factory;

  WorkspacePool(int capacity, Supplier<T> factory) {
    this.idle = new AtomicReferenceArray<>(capacity);
    this.factory = factory;
  }

  T take() {
    for (int i = 0; i < idle.length(); i++) {
      T w = idle.get(i);
      if (w != null && idle.compareAndSet(i, w, null)) return w;
    }
    return factory.get();
  }

  void give(T w) {
    for (int i = 0; i < idle.length(); i++) {
      if (idle.get(i) == null && idle.compareAndSet(i, null, w)) return;
    }
  }
}
