// The library's own threads: one pool, sized by c4j_set_num_threads, asleep (no spinning) when idle.
// OpenBLAS is kept single-threaded and called from inside these workers, so there is one source of threads.
// A caller that finds the pool busy with another caller's work runs its own work inline: two concurrent callers
// on two cores use one core each instead of oversubscribing.
#pragma once
#include <cstdint>
#include <functional>

namespace c4j {

// Runs fn(lo, hi) over a partition of [0, n) into contiguous chunks, on the pool plus the calling thread.
// fn must be safe to call concurrently on disjoint ranges. Returns when every chunk is done.
void parallel_for(int64_t n, const std::function<void(int64_t lo, int64_t hi)>& fn);

// The same for any callable, wrapped by reference: a std::function built from a lambda that captures more than two
// references heap-allocates on every call, and runs must not allocate once warm.
template <typename F>
void parallel_for(int64_t n, const F& fn) {
  const std::function<void(int64_t, int64_t)> by_ref = [&fn](int64_t lo, int64_t hi) { fn(lo, hi); };
  parallel_for(n, by_ref);
}

// The configured thread count (>= 1).
int num_threads();
void set_num_threads(int n);

}  // namespace c4j
