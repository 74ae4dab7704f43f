#include "thread_pool.h"

#include <cblas.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "conv4j.h"

namespace c4j {
namespace {

class Pool {
 public:
  Pool() {
    unsigned hw = std::thread::hardware_concurrency();
    resize(hw == 0 ? 1 : static_cast<int>(hw));
  }
  ~Pool() { stop_workers(); }

  int size() const { return threads_; }

  void resize(int n) {
    std::lock_guard<std::mutex> busy(busy_);
    stop_workers();
    threads_ = std::max(1, n);
    openblas_set_num_threads(1);
    stop_ = false;
    for (int i = 1; i < threads_; ++i) workers_.emplace_back([this] { worker(); });
  }

  void run(int64_t n, const std::function<void(int64_t, int64_t)>& fn) {
    if (n <= 0) return;
    std::unique_lock<std::mutex> busy(busy_, std::try_to_lock);
    const int64_t chunks = std::min<int64_t>(n, threads_);
    if (!busy.owns_lock() || chunks <= 1) {  // pool taken by another caller, or nothing to share
      fn(0, n);
      return;
    }
    {
      std::lock_guard<std::mutex> lock(m_);
      job_ = &fn;
      n_ = n;
      chunks_ = chunks;
      next_.store(0);
      pending_ = chunks;
      ++generation_;
    }
    wake_.notify_all();
    work();
    std::unique_lock<std::mutex> lock(m_);
    done_.wait(lock, [this] { return pending_ == 0; });
    job_ = nullptr;
  }

 private:
  void work() {
    for (;;) {
      const int64_t c = next_.fetch_add(1);
      if (c >= chunks_) return;
      const int64_t lo = n_ * c / chunks_, hi = n_ * (c + 1) / chunks_;
      (*job_)(lo, hi);
      std::lock_guard<std::mutex> lock(m_);
      if (--pending_ == 0) done_.notify_all();
    }
  }

  void worker() {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lock(m_);
        wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
        if (stop_) return;
        seen = generation_;
      }
      work();
    }
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lock(m_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  std::mutex busy_;  // held by the caller whose job owns the pool
  std::mutex m_;
  std::condition_variable wake_, done_;
  std::vector<std::thread> workers_;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  std::atomic<int64_t> next_{0};
  int64_t n_ = 0, chunks_ = 0, pending_ = 0;
  uint64_t generation_ = 0;
  bool stop_ = false;
  int threads_ = 1;
};

Pool& pool() {
  static Pool p;
  return p;
}

}  // namespace

void parallel_for(int64_t n, const std::function<void(int64_t, int64_t)>& fn) { pool().run(n, fn); }
int num_threads() { return pool().size(); }
void set_num_threads(int n) { pool().resize(n); }

}  // namespace c4j

extern "C" void c4j_set_num_threads(int32_t n) { c4j::set_num_threads(n < 1 ? 1 : n); }
extern "C" int32_t c4j_get_num_threads(void) { return c4j::num_threads(); }
