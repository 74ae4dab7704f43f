#include "page_arena.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <map>
#include <mutex>

namespace c4j {
namespace {

constexpr size_t kHuge = size_t{2} << 20;    // the huge page size (x86-64)
constexpr size_t kRegion = size_t{32} << 20; // address space one region reserves; pages come on first touch
constexpr size_t kMinArena = 64 * 1024;      // smaller weights (a depthwise layer's, a bias) stay on the heap
constexpr size_t kAlign = 64;

size_t round_up(size_t n, size_t to) { return (n + to - 1) / to * to; }

// One 2 MB-aligned mapping; `free` holds its unused ranges (offset -> length), coalesced.
struct Region {
  size_t size;
  std::map<size_t, size_t> free;
};

struct Arena {
  std::mutex mu;
  std::map<uintptr_t, Region> regions;  // by base address
  size_t reserved = 0, used = 0;

  void* take(size_t bytes) {
    for (auto& [base, r] : regions) {
      for (auto it = r.free.begin(); it != r.free.end(); ++it) {
        if (it->second < bytes) continue;
        const size_t off = it->first, len = it->second;
        r.free.erase(it);
        if (len > bytes) r.free.emplace(off + bytes, len - bytes);
        used += bytes;
        return reinterpret_cast<void*>(base + off);
      }
    }
    const size_t size = std::max(kRegion, round_up(bytes, kHuge));
    void* m = mmap(nullptr, size + kHuge, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return nullptr;
    // keep the 2 MB-aligned part only, so that every 2 MB of the region can be one huge page
    const uintptr_t start = reinterpret_cast<uintptr_t>(m), base = round_up(start, kHuge), lead = base - start;
    if (lead > 0) munmap(m, lead);
    munmap(reinterpret_cast<void*>(base + size), kHuge - lead);
    madvise(reinterpret_cast<void*>(base), size, MADV_HUGEPAGE);  // best effort: without THP, plain pages
    Region& r = regions[base];
    r.size = size;
    if (size > bytes) r.free.emplace(bytes, size - bytes);
    reserved += size;
    used += bytes;
    return reinterpret_cast<void*>(base);
  }

  void give(void* p, size_t bytes) {
    const uintptr_t a = reinterpret_cast<uintptr_t>(p);
    auto rit = regions.upper_bound(a);
    if (rit == regions.begin()) return;  // not ours: cannot happen for pointers take() returned
    --rit;
    Region& r = rit->second;
    size_t off = a - rit->first, len = bytes;
    used -= bytes;
    auto next = r.free.lower_bound(off);
    if (next != r.free.end() && off + len == next->first) {
      len += next->second;
      next = r.free.erase(next);
    }
    if (next != r.free.begin()) {
      auto prev = std::prev(next);
      if (prev->first + prev->second == off) {
        off = prev->first;
        len += prev->second;
        r.free.erase(prev);
      }
    }
    r.free.emplace(off, len);
    if (off == 0 && len == r.size) {  // nothing left in it: back to the system
      munmap(reinterpret_cast<void*>(rit->first), r.size);
      reserved -= r.size;
      regions.erase(rit);
    }
  }
};

Arena& arena() {
  static Arena* a = new Arena();  // never destroyed: plans may be freed during static destruction
  return *a;
}

}  // namespace

void* arena_alloc(size_t bytes) {
  bytes = round_up(bytes == 0 ? 1 : bytes, kAlign);
  if (bytes < kMinArena) return std::aligned_alloc(kAlign, bytes);
  Arena& a = arena();
  std::lock_guard<std::mutex> lock(a.mu);
  return a.take(bytes);
}

void arena_free(void* p, size_t bytes) {
  if (p == nullptr) return;
  bytes = round_up(bytes == 0 ? 1 : bytes, kAlign);
  if (bytes < kMinArena) {
    std::free(p);
    return;
  }
  Arena& a = arena();
  std::lock_guard<std::mutex> lock(a.mu);
  a.give(p, bytes);
}

PageArenaStats page_arena_stats() {
  Arena& a = arena();
  std::lock_guard<std::mutex> lock(a.mu);
  return {a.reserved, a.used};
}

size_t page_arena_free_run(const void* p) {
  Arena& a = arena();
  std::lock_guard<std::mutex> lock(a.mu);
  const uintptr_t at = reinterpret_cast<uintptr_t>(p);
  auto rit = a.regions.upper_bound(at);
  if (rit == a.regions.begin()) return 0;
  --rit;
  auto it = rit->second.free.find(at - rit->first);
  return it == rit->second.free.end() ? 0 : it->second;
}

}  // namespace c4j
