// Test hooks for the thread pool, called by the Java tests (ThreadPoolTest): the pool is internal, so its contract
// (coverage, inline when busy or nested, no deadlock) is checked natively and reported as a status plus message.
// Not for applications; they allocate and block.
#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "errors.h"
#include "thread_pool.h"

namespace c4j {
namespace {

using Clock = std::chrono::steady_clock;

// One parallel_for over [0, n) that counts every index; unit_cost < 0 means no cost hint. nested: each chunk runs
// a parallel_for of its own over its range, which must cover it too (inline when the pool is this job's; on the
// pool when the outer chunk itself ran inline and the pool has come free meanwhile) and never deadlock.
int32_t covered_once(int64_t n, int64_t unit_cost, bool nested) {
  std::unique_ptr<std::atomic<int32_t>[]> counts(new std::atomic<int32_t>[n > 0 ? n : 1]);
  for (int64_t i = 0; i < n; ++i) counts[i].store(0);
  std::atomic<int64_t> bad_range{-1};
  const auto count = [&](int64_t lo, int64_t hi) {
    if (lo < 0 || hi > n || lo >= hi) bad_range.store(lo);
    for (int64_t i = lo; i < hi && i >= 0 && i < n; ++i) counts[i].fetch_add(1);
  };
  const auto body = [&](int64_t lo, int64_t hi) {
    if (!nested) return count(lo, hi);
    parallel_for(hi - lo, [&](int64_t a, int64_t b) { count(lo + a, lo + b); });
  };
  if (unit_cost < 0) parallel_for(n, body);
  else parallel_for(n, unit_cost, body);
  if (bad_range.load() >= 0)
    return fail(C4J_ERR_ARG, "n=%lld: a chunk was empty or outside [0, n) (lo=%lld)", static_cast<long long>(n),
                static_cast<long long>(bad_range.load()));
  for (int64_t i = 0; i < n; ++i) {
    if (counts[i].load() != 1)
      return fail(C4J_ERR_ARG, "n=%lld: index %lld ran %d times", static_cast<long long>(n), static_cast<long long>(i),
                  counts[i].load());
  }
  return C4J_OK;
}

}  // namespace
}  // namespace c4j

using namespace c4j;

extern "C" int32_t c4j_thread_pool_selftest(int64_t max_n, int32_t callers, int32_t rounds, int64_t unit_cost,
                                            int32_t nested) {
  if (max_n < 0 || callers < 1 || rounds < 1) return fail(C4J_ERR_ARG, "max_n >= 0, callers >= 1, rounds >= 1");
  std::vector<int32_t> status(callers, C4J_OK);
  std::vector<std::string> message(callers);  // c4j_last_error is per thread: carried back to this one
  const auto caller = [&](int32_t k) {
    for (int32_t r = 0; r < rounds && status[k] == C4J_OK; ++r) {
      for (int64_t n = 0; n <= max_n && status[k] == C4J_OK; n = n < 64 ? n + 1 : n * 3 / 2)
        status[k] = covered_once(n, unit_cost, nested != 0);
    }
    if (status[k] != C4J_OK) message[k] = c4j_last_error();
  };
  // one caller: no solo windows, so the pool's own path is what gets checked even on a loaded machine
  const bool windows = set_solo_windows(callers > 1);
  std::vector<std::thread> others;
  for (int32_t k = 1; k < callers; ++k) others.emplace_back(caller, k);
  caller(0);
  for (auto& t : others) t.join();
  set_solo_windows(windows);
  for (int32_t k = 0; k < callers; ++k)
    if (status[k] != C4J_OK) return fail(status[k], "caller %d of %d: %s", k, callers, message[k].c_str());
  return C4J_OK;
}

extern "C" int32_t c4j_thread_pool_selftest_busy(int64_t n) {
  if (n < 2) return fail(C4J_ERR_ARG, "n must be >= 2, got %lld", static_cast<long long>(n));
  set_solo_windows(false);  // close any window left by earlier jobs, so that caller A does take the pool
  set_solo_windows(true);
  // caller A's job blocks every chunk until caller B's job is done; B must therefore run inline, on its own thread
  std::atomic<bool> a_started{false}, b_done{false}, a_timed_out{false};
  std::thread a([&] {
    parallel_for(n, [&](int64_t, int64_t) {
      a_started.store(true);
      const auto end = Clock::now() + std::chrono::seconds(10);
      while (!b_done.load()) {
        if (Clock::now() > end) return a_timed_out.store(true);
        std::this_thread::sleep_for(std::chrono::microseconds(100));
      }
    });
  });
  while (!a_started.load()) std::this_thread::sleep_for(std::chrono::microseconds(100));
  const auto me = std::this_thread::get_id();
  std::atomic<int64_t> covered{0};
  std::atomic<bool> off_thread{false};
  const auto b_start = Clock::now();
  parallel_for(n, [&](int64_t lo, int64_t hi) {
    if (std::this_thread::get_id() != me) off_thread.store(true);
    covered.fetch_add(hi - lo);
  });
  b_done.store(true);
  a.join();
  // right after the collision (within the pool's 1 ms window) the free pool is still left alone: inline again
  std::atomic<bool> c_off_thread{false};
  parallel_for(n, [&](int64_t, int64_t) {
    if (std::this_thread::get_id() != me) c_off_thread.store(true);
  });
  const bool c_in_window = Clock::now() - b_start < std::chrono::microseconds(900);
  if (a_timed_out.load())
    return fail(C4J_ERR_ARG, "a second caller waited for the busy pool (deadlock broken by timeout)");
  if (off_thread.load())
    return fail(C4J_ERR_ARG, "a second caller's work ran on a pool thread while the pool was busy");
  if (c_in_window && c_off_thread.load())
    return fail(C4J_ERR_ARG, "a caller right after a collision used the pool's threads (should run inline)");
  if (covered.load() != n)
    return fail(C4J_ERR_ARG, "the second caller covered %lld of %lld indices", static_cast<long long>(covered.load()),
                static_cast<long long>(n));
  return C4J_OK;
}
