// Test hooks for the page arena (page_arena.cpp), called by the Java tests (PageArenaTest): the arena is
// internal, so its contract (aligned, disjoint blocks; freed ranges reused and merged; regions handed back once
// empty) is checked natively and reported as a status plus message. Not for applications.
#include <cstdint>
#include <cstring>
#include <random>
#include <thread>
#include <vector>

#include "conv4j.h"
#include "errors.h"
#include "page_arena.h"

namespace c4j {
namespace {

constexpr size_t kHugePage = size_t{2} << 20;

struct Block {
  unsigned char* p;
  size_t bytes;
  unsigned char tag;
};

bool aligned(const void* p, size_t to) { return reinterpret_cast<uintptr_t>(p) % to == 0; }

// Fills a block with its tag; false when any byte of it no longer holds the tag (another block overlapped it).
void fill(const Block& b) { std::memset(b.p, b.tag, b.bytes); }
bool intact(const Block& b) {
  for (size_t i = 0; i < b.bytes; ++i)
    if (b.p[i] != b.tag) return false;
  return true;
}

// Random allocations and frees of one thread, every live block checked intact before it is freed.
bool churn(uint32_t seed, int steps) {
  std::mt19937 rng(seed);
  std::vector<Block> live;
  for (int s = 0; s < steps; ++s) {
    if (!live.empty() && (rng() % 3 == 0 || live.size() > 24)) {
      const size_t i = rng() % live.size();
      if (!intact(live[i])) return false;
      arena_free(live[i].p, live[i].bytes);
      live.erase(live.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      const size_t bytes = 1 + rng() % (3u << 20);  // up to 3 MB: heap and arena sizes alike
      auto* p = static_cast<unsigned char*>(arena_alloc(bytes));
      if (p == nullptr || !aligned(p, 64)) return false;
      live.push_back({p, bytes, static_cast<unsigned char>(1 + rng() % 255)});
      fill(live.back());
    }
  }
  bool ok = true;
  for (const Block& b : live) {
    ok = ok && intact(b);
    arena_free(b.p, b.bytes);
  }
  return ok;
}

}  // namespace
}  // namespace c4j

extern "C" int32_t c4j_page_arena_selftest(void) {
  using namespace c4j;
  const PageArenaStats start = page_arena_stats();
  // a region's blocks: laid out from its 2 MB-aligned start, freed ranges merged and reused first
  constexpr size_t kBlock = 1u << 20;
  auto* a = static_cast<unsigned char*>(arena_alloc(kBlock));
  auto* b = static_cast<unsigned char*>(arena_alloc(kBlock));
  auto* c = static_cast<unsigned char*>(arena_alloc(kBlock));
  if (a == nullptr || b == nullptr || c == nullptr) return fail(C4J_ERR_NOMEM, "page arena: out of memory");
  const PageArenaStats three = page_arena_stats();
  if (three.used != start.used + 3 * kBlock)
    return fail(C4J_ERR_ARG, "page arena: 3 MB handed out, used grew by %zu bytes", three.used - start.used);
  if (!aligned(a, 64) || !aligned(b, 64) || !aligned(c, 64)) return fail(C4J_ERR_ARG, "page arena: unaligned block");
  arena_free(b, kBlock);
  arena_free(a, kBlock);
  if (b == a + kBlock && page_arena_free_run(a) < 2 * kBlock)
    return fail(C4J_ERR_ARG, "page arena: two freed neighbours were not merged (free run at the first: %zu bytes)",
                page_arena_free_run(a));
  arena_free(c, kBlock);
  // larger than a region: one of its own, also 2 MB aligned
  const size_t big = (size_t{40} << 20) + 4096;
  auto* d = static_cast<unsigned char*>(arena_alloc(big));
  if (d == nullptr) return fail(C4J_ERR_NOMEM, "page arena: out of memory for 40 MB");
  if (!aligned(d, kHugePage)) return fail(C4J_ERR_ARG, "page arena: a 40 MB block is not 2 MB aligned");
  std::memset(d, 7, big);
  arena_free(d, big);
  // small sizes stay on the heap
  void* small = arena_alloc(1000);
  const bool on_heap = page_arena_stats().used == start.used;
  arena_free(small, 1000);
  if (small == nullptr || !on_heap) return fail(C4J_ERR_ARG, "page arena: a 1000-byte block was not a heap block");
  // two threads at once, blocks never overlapping
  bool ok[2] = {false, false};
  std::thread other([&] { ok[1] = churn(2, 400); });
  ok[0] = churn(1, 400);
  other.join();
  if (!ok[0] || !ok[1]) return fail(C4J_ERR_ARG, "page arena: a live block was overwritten or misaligned");
  const PageArenaStats end = page_arena_stats();
  if (end.used != start.used || end.reserved != start.reserved)
    return fail(C4J_ERR_ARG, "page arena: after freeing everything, used %zu -> %zu bytes, reserved %zu -> %zu",
                start.used, end.used, start.reserved, end.reserved);
  return C4J_OK;
}

extern "C" int64_t c4j_page_arena_bytes(int32_t which) {
  const c4j::PageArenaStats s = c4j::page_arena_stats();
  return static_cast<int64_t>(which == 0 ? s.reserved : s.used);
}
