#include "thread_pool.h"

#include <cblas.h>
#include <emmintrin.h>  // _mm_pause (SSE2: baseline x86-64)

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <limits>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

#include "conv4j.h"

namespace c4j {
namespace {

constexpr int64_t kChunksPerThread = 4;  // more, smaller chunks than threads: a slowed core takes fewer
// With a cost hint of at least kCoarseCost per index, an index is a kernel's whole work item (a pixel chunk, a
// channel-block range: tens of microseconds and up): up to kCoarseChunksPerThread chunks then, since the caller
// waits at the end of a job for the last chunk a worker claimed, and smaller chunks make that wait shorter.
constexpr int64_t kCoarseCost = 64 * 1024;
constexpr int64_t kCoarseChunksPerThread = 16;
constexpr int64_t kInlineCost = 32 * 1024;     // with a cost hint: below this a job runs on the caller alone
constexpr int64_t kMinChunkCost = 8 * 1024;    // with a cost hint: no chunk is cheaper than this
// Bounded spins (overridable at build time, for measuring them): a worker's after a job, before it sleeps; the
// caller's for the last chunks, before it sleeps.
#ifndef C4J_POOL_IDLE_SPIN_US
#define C4J_POOL_IDLE_SPIN_US 50
#endif
#ifndef C4J_POOL_DONE_SPIN_US
#define C4J_POOL_DONE_SPIN_US 30
#endif
constexpr int64_t kIdleSpinMicros = C4J_POOL_IDLE_SPIN_US;
constexpr int64_t kDoneSpinMicros = C4J_POOL_DONE_SPIN_US;
// Solo windows: for a while every caller runs inline and workers stop spinning.
// After two callers collided (one found the pool busy): two threads calling back to back then use the two cores,
// not the cores plus the pool's workers.
constexpr int64_t kCollisionSoloMicros = 1000;
// After a straggler: the caller, done with its chunks, waited for a worker's chunk longer than kStragglerMicros and
// twice its own working time. A worker only falls that far behind when its core was taken (a neighbour process on
// a shared machine: the wait is then a scheduler slice, milliseconds); sharing then costs more than it saves, so
// jobs run on the caller alone for a while, then the pool is tried again. The threshold sits well above a sleeping
// worker's wake-up (up to ~70 us on this VM) plus one uneven chunk: at 20 us, MobileNetV2's short jobs tripped it
// about once per run and spent half their jobs in solo windows (2 threads: 10.2 ms, 6.0 ms at 250 us). The window
// starts short (a one-off blip must not cost more single-threaded time than the wait it caused) and doubles while
// stragglers keep coming right after a window, up to kStragglerSoloMaxMicros.
constexpr int64_t kStragglerMicros = 250;
constexpr int64_t kStragglerSoloMicros = 500;
constexpr int64_t kStragglerSoloMaxMicros = 16000;

// Home ranges: a job's chunks are cut into one contiguous range per thread (the caller is thread 0); a thread
// claims its own range first, front to back, then the following ranges' leftovers. Kernels number their work items
// in data order (pixel chunks, channel blocks), so consecutive layers give each thread the same part of the maps
// and it mostly reads what it wrote itself, from its own L2, instead of lines the other core holds. A slowed
// thread still loses its chunks to the others. Measured, 2 threads, the models' convolutions chained through the C
// API, one shared claim order or home ranges alternated per pass in one process (processes differ by up to 2x on
// this VM): MobileNetV2 4.64 -> 4.57, 4.40 -> 4.23, 4.67 -> 4.36 ms; ResNet-50 37.9 -> 37.0, 37.5 -> 36.8,
// 36.3 -> 36.2 ms.
//
// The ticket publishes a job: its generation, chunk count and thread count in one atomic word. Each range's
// counter packs the generation with the next unclaimed chunk of the range, so a claim is valid exactly when it
// succeeds: a thread holding a stale generation can never take a chunk of a newer job.
constexpr int kIndexBits = 16;
constexpr uint64_t kIndexMask = (uint64_t{1} << kIndexBits) - 1;
constexpr int64_t kMaxChunks = static_cast<int64_t>(kIndexMask);
constexpr int kMaxThreads = 1024;  // as Java's Backend.MAX_THREADS; the ticket's thread field holds up to 65535
constexpr uint64_t ticket(uint64_t gen, uint64_t chunks, uint64_t threads) {
  return gen << (2 * kIndexBits) | chunks << kIndexBits | threads;
}
constexpr uint64_t gen_of(uint64_t t) { return t >> (2 * kIndexBits); }
constexpr int64_t chunks_of(uint64_t t) { return static_cast<int64_t>(t >> kIndexBits & kIndexMask); }
constexpr int64_t threads_of(uint64_t t) { return static_cast<int64_t>(t & kIndexMask); }
// a range counter: the generation (as gen_of gives it) and the next chunk of the range
constexpr uint64_t claim(uint64_t gen, uint64_t next) { return gen << kIndexBits | next; }
constexpr uint64_t claim_gen(uint64_t c) { return c >> kIndexBits; }
constexpr int64_t claim_next(uint64_t c) { return static_cast<int64_t>(c & kIndexMask); }

struct alignas(64) RangeCounter {  // a cache line each: threads claim from their own without contention
  std::atomic<uint64_t> v{0};
};

thread_local bool in_job = false;  // this thread is running a chunk: nested parallel_for runs inline

int64_t now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Spins with pause until done(), the time is up or (checked with the clock) give_up(); true if done() became true.
template <typename Done, typename GiveUp>
bool spin_until(int64_t micros, const Done& done, const GiveUp& give_up) {
  const int64_t end = now_micros() + micros;
  for (int i = 0;; ++i) {
    if (done()) return true;
    _mm_pause();
    if ((i & 63) == 63 && (now_micros() >= end || give_up())) return done();
  }
}

class Pool {
 public:
  Pool() {
    unsigned hw = std::thread::hardware_concurrency();
    resize(hw == 0 ? 1 : static_cast<int>(hw));
  }
  ~Pool() { stop_workers(); }

  int size() const { return threads_.load(std::memory_order_relaxed); }

  // The same chunks in order on the calling thread: the partition, and so the results, do not depend on who ran it.
  static void run_inline(int64_t n, int64_t chunks, const std::function<void(int64_t, int64_t)>& fn) {
    for (int64_t c = 0; c < chunks; ++c) fn(n * c / chunks, n * (c + 1) / chunks);
  }

  bool set_solo_windows(bool on) {
    if (!on) solo_until_.store(std::numeric_limits<int64_t>::min());  // and close the current one
    return solo_windows_.exchange(on);
  }

  void resize(int n) {
    while (!try_own()) std::this_thread::sleep_for(std::chrono::microseconds(50));  // a running job finishes first
    stop_workers();
    const int want = std::clamp(n, 1, kMaxThreads);
    threads_.store(want);
    ranges_.reset(new RangeCounter[want]);
    openblas_set_num_threads(1);
    stop_.store(false);
    for (int i = 1; i < want; ++i) {
      try {
        workers_.emplace_back([this, i] { worker(i); });
      } catch (const std::system_error&) {  // the OS refused another thread: run with those it started
        threads_.store(i);
        break;
      }
    }
    busy_.store(false, std::memory_order_release);
  }

  void run(int64_t n, int64_t max_chunks, int64_t per_thread, const std::function<void(int64_t, int64_t)>& fn) {
    if (n <= 0) return;
    const int64_t threads = size();
    const int64_t chunks = threads == 1 ? 1 : std::min({n, max_chunks, per_thread * threads, kMaxChunks});
    if (chunks <= 1 || in_job || solo()) {  // nothing to share, nested, or a solo window
      run_inline(n, chunks, fn);
      return;
    }
    if (!try_own()) {  // the pool is another caller's: this one keeps to its own core
      extend_solo(kCollisionSoloMicros);
      run_inline(n, chunks, fn);
      return;
    }
    job_ = &fn;
    n_ = n;
    done_.store(0, std::memory_order_relaxed);
    const uint64_t gen = gen_of(ticket(++gen_, 0, 0));  // as workers read it back from the ticket
    for (int64_t r = 0; r < threads; ++r) ranges_[r].v.store(claim(gen, 0), std::memory_order_relaxed);
    ticket_.store(ticket(gen, chunks, threads));  // seq_cst: after the ranges, before the sleepers_ check (worker())
    if (sleepers_.load() > 0) {
      std::lock_guard<std::mutex> lock(m_);
      wake_.notify_all();
    }
    const int64_t start = now_micros();
    work(gen, 0);
    const int64_t own_done = now_micros();
    const auto all_done = [&] { return done_.load(std::memory_order_acquire) == chunks; };
    if (!spin_until(kDoneSpinMicros, all_done, [] { return false; })) {
      std::unique_lock<std::mutex> lock(m_);
      caller_waiting_.store(true);  // seq_cst: a worker that finishes the last chunk after this sees it
      finished_.wait(lock, all_done);
      caller_waiting_.store(false);
    }
    const int64_t waited = now_micros() - own_done;
    if (waited > kStragglerMicros && waited > 2 * (own_done - start)) straggler();
    job_ = nullptr;
    busy_.store(false, std::memory_order_release);
  }

 private:
  void extend_solo(int64_t micros) {
    if (!solo_windows_.load(std::memory_order_relaxed)) return;
    const int64_t until = now_micros() + micros;
    int64_t cur = solo_until_.load(std::memory_order_relaxed);
    while (cur < until && !solo_until_.compare_exchange_weak(cur, until, std::memory_order_relaxed)) {
    }
  }

  // A straggler opens a solo window: twice the last one if that ended less than two of its lengths ago.
  void straggler() {
    const int64_t now = now_micros(), last = straggler_solo_.load(std::memory_order_relaxed);
    const bool again = now - solo_until_.load(std::memory_order_relaxed) < 2 * last;
    const int64_t len = again ? std::min(2 * last, kStragglerSoloMaxMicros) : kStragglerSoloMicros;
    straggler_solo_.store(len, std::memory_order_relaxed);
    extend_solo(len);
  }

  bool solo() const {
    return now_micros() < solo_until_.load(std::memory_order_relaxed);
  }

  bool try_own() {
    bool expected = false;
    return busy_.compare_exchange_strong(expected, true, std::memory_order_acquire);
  }

  // Claims and runs chunks of job gen until none is left: thread self's home range first, then the ranges after it.
  void work(uint64_t gen, int64_t self) {
    const uint64_t t = ticket_.load(std::memory_order_acquire);
    if (gen_of(t) != gen) return;  // that job is over
    const int64_t chunks = chunks_of(t), threads = threads_of(t);
    for (int64_t k = 0; k < threads; ++k) {
      const int64_t r = (self + k) % threads, lo = chunks * r / threads, hi = chunks * (r + 1) / threads;
      std::atomic<uint64_t>& counter = ranges_[r].v;
      uint64_t c = counter.load(std::memory_order_acquire);
      for (;;) {
        if (claim_gen(c) != gen) return;  // a newer job reset the ranges: this one is over
        if (lo + claim_next(c) >= hi) break;
        if (!counter.compare_exchange_weak(c, c + 1, std::memory_order_acq_rel, std::memory_order_acquire)) continue;
        // the claim succeeded, so this job is not finished and job_ / n_ are its own
        const int64_t chunk = lo + claim_next(c);
        in_job = true;
        (*job_)(n_ * chunk / chunks, n_ * (chunk + 1) / chunks);
        in_job = false;
        if (done_.fetch_add(1) + 1 == chunks && caller_waiting_.load()) {
          std::lock_guard<std::mutex> lock(m_);
          finished_.notify_all();
        }
        c = counter.load(std::memory_order_acquire);
      }
    }
  }

  void worker(int64_t self) {
    uint64_t seen = gen_of(ticket_.load());
    const auto news = [&] { return stop_.load(std::memory_order_relaxed) || gen_of(ticket_.load()) != seen; };
    for (;;) {
      if (!spin_until(kIdleSpinMicros, news, [this] { return solo(); })) {
        std::unique_lock<std::mutex> lock(m_);
        sleepers_.fetch_add(1);  // seq_cst: a caller publishing after this sees a sleeper and notifies under m_
        wake_.wait(lock, news);
        sleepers_.fetch_sub(1);
      }
      if (stop_.load()) return;
      seen = gen_of(ticket_.load(std::memory_order_acquire));
      work(seen, self);
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(m_);
      stop_.store(true);
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  std::atomic<bool> solo_windows_{true};
  std::atomic<int64_t> solo_until_{std::numeric_limits<int64_t>::min()};  // now_micros() when a solo window ends
  std::atomic<int64_t> straggler_solo_{kStragglerSoloMicros};             // the last straggler window's length
  std::atomic<bool> busy_{false};  // true while one caller's job (or a resize) owns the pool
  std::atomic<uint64_t> ticket_{0};
  std::unique_ptr<RangeCounter[]> ranges_;  // one per thread, replaced only by resize (no job in flight)
  std::atomic<int64_t> done_{0};  // chunks of the current job finished
  std::atomic<int> sleepers_{0};
  std::atomic<bool> caller_waiting_{false};
  std::atomic<bool> stop_{false};
  std::atomic<int> threads_{1};
  std::mutex m_;
  std::condition_variable wake_, finished_;
  std::vector<std::thread> workers_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;  // written only by the owner, before the ticket
  int64_t n_ = 0;
  uint64_t gen_ = 0;  // owner only
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
  pool().run(n, n, kChunksPerThread, fn);
}

void parallel_for(int64_t n, int64_t unit_cost, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  const int64_t cost = std::max<int64_t>(1, unit_cost);
  if (n <= (kInlineCost - 1) / cost) {  // n * cost < kInlineCost, without overflow
    fn(0, n);
    return;
  }
  const int64_t max_chunks = std::max<int64_t>(1, n / std::max<int64_t>(1, kMinChunkCost / cost));
  pool().run(n, max_chunks, cost >= kCoarseCost ? kCoarseChunksPerThread : kChunksPerThread, fn);
}

int num_threads() { return pool().size(); }
void set_num_threads(int n) { pool().resize(n); }
bool set_solo_windows(bool enabled) { return pool().set_solo_windows(enabled); }

}  // namespace c4j

extern "C" void c4j_set_num_threads(int32_t n) { c4j::set_num_threads(n < 1 ? 1 : n); }
extern "C" int32_t c4j_get_num_threads(void) { return c4j::num_threads(); }
