// The library's own threads: one pool, sized by c4j_set_num_threads. OpenBLAS is kept single-threaded and called
// from inside these workers, so there is one source of threads.
//
// Scheduling is dynamic with home ranges: a job is cut into up to kChunksPerThread chunks per thread, in one
// contiguous range per thread; each thread claims its own range first, then what is left of the others, until
// none is left. Consecutive jobs cut alike give a thread the same part of the data (the same pixels of the next
// layer), which then stays in its core's cache. The caller starts on its chunks at once, so it never waits for a
// worker to wake up; a worker that wakes late, or whose core a neighbour process is using, simply takes fewer.
//
// Idle workers sleep on a condition variable (no spinning while idle). After each job a worker spins for a short
// bounded time (kIdleSpinMicros) before it goes to sleep: a model run is a sequence of jobs a few microseconds
// apart, and a worker that is still awake joins the next one without a futex wake-up.
//
// A caller that finds the pool busy with another caller's job (or calls from inside a job) runs its own work inline:
// two concurrent callers on two cores use one core each instead of oversubscribing. Such a collision, or a worker
// that fell far behind (its core taken by a neighbour process), opens a short solo window (1 ms after a collision;
// after a straggler 0.5 ms, doubling up to 16 ms while stragglers recur) in which every caller runs inline and
// workers do not spin; then the pool is tried again.
#pragma once
#include <cstdint>
#include <functional>

namespace c4j {

// Runs fn(lo, hi) over a partition of [0, n) into contiguous chunks, on the pool plus the calling thread.
// fn must be safe to call concurrently on disjoint ranges. Returns when every chunk is done.
void parallel_for(int64_t n, const std::function<void(int64_t lo, int64_t hi)>& fn);

// The same with a cost hint: unit_cost is the work of one index in multiply-adds (or comparable simple operations).
// A job whose total is too small to pay for sharing runs inline without touching the pool, and chunks are never
// made smaller than a minimum cost; indices of at least 64 K each (a kernel's work items) are cut finer than
// other jobs, up to 16 chunks per thread, so that the end of a job waits less for the last chunk.
void parallel_for(int64_t n, int64_t unit_cost, const std::function<void(int64_t lo, int64_t hi)>& fn);

// The same for any callable, wrapped by reference: a std::function built from a lambda that captures more than two
// references heap-allocates on every call, and runs must not allocate once warm.
template <typename F>
void parallel_for(int64_t n, const F& fn) {
  const std::function<void(int64_t, int64_t)> by_ref = [&fn](int64_t lo, int64_t hi) { fn(lo, hi); };
  parallel_for(n, by_ref);
}

template <typename F>
void parallel_for(int64_t n, int64_t unit_cost, const F& fn) {
  const std::function<void(int64_t, int64_t)> by_ref = [&fn](int64_t lo, int64_t hi) { fn(lo, hi); };
  parallel_for(n, unit_cost, by_ref);
}

// The configured thread count (>= 1). Kernels size their work decomposition by it, never by who happens to be free:
// a job is cut into the same chunks whether the pool or the caller alone runs it, so results do not depend on
// scheduling.
int num_threads();
void set_num_threads(int n);

// Work items a kernel aims to give each thread (pixel chunks, channel-block ranges): the caller waits at the end
// of a job for the last item a worker claimed, so items much smaller than a thread's share keep that wait short
// (with about three, two threads ran DIRECT's 3x3 s2 layers and ResNet-50's 56x56 1x1 GEMMs 10-25% slower).
constexpr int64_t kWorkItemsPerThread = 8;

// Tests only: false turns the solo windows off (returns the previous setting), so every shareable job of a single
// caller goes through the pool whatever the machine's load.
bool set_solo_windows(bool enabled);

}  // namespace c4j
