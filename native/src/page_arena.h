// Memory for packed weights: blocks of 64 KB and more come from 2 MB-aligned regions advised for transparent huge
// pages. A model's weights are re-read on every run and mostly come from memory (ResNet-50 has 100 MB; MobileNetV2's
// 14 MB do not survive its activations and a neighbour's use of the shared L3); on 4 KB pages each layer's weight
// stream also walks the page table every 4 KB, where the hardware prefetcher stops too. Measured on MobileNetV2's
// convolutions chained in C++, one thread, builds alternated: 7.41-7.59 -> 7.30-7.47 ms per run (its 1x1 layers on
// 7x7 maps 7-9% faster: 160->960 184-190 -> 172 us). The kernels' scratch stays on the heap: from the arena it made
// a stride-2 depthwise layer 25% slower after other layers had run in the same process (70 -> 88 us, 144 @56).
#pragma once
#include <cstddef>
#include <new>
#include <vector>

namespace c4j {

// bytes from the huge-page arena (64-byte aligned), or from aligned_alloc when small; nullptr when out of memory.
void* arena_alloc(size_t bytes);
void arena_free(void* p, size_t bytes);

// Bytes the arena holds from the system (its regions, used or not) and bytes handed out, for tests.
struct PageArenaStats {
  size_t reserved, used;
};
PageArenaStats page_arena_stats();
// The length of the free range that starts at p (0 when none does), for tests.
size_t page_arena_free_run(const void* p);

template <typename T>
struct ArenaAllocator {
  using value_type = T;
  ArenaAllocator() = default;
  template <typename U>
  ArenaAllocator(const ArenaAllocator<U>&) noexcept {}
  T* allocate(size_t n) {
    if (n > static_cast<size_t>(-1) / sizeof(T)) throw std::bad_alloc();
    void* p = arena_alloc(n * sizeof(T));
    if (p == nullptr) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, size_t n) noexcept { arena_free(p, n * sizeof(T)); }
  template <typename U>
  bool operator==(const ArenaAllocator<U>&) const noexcept {
    return true;
  }
  template <typename U>
  bool operator!=(const ArenaAllocator<U>&) const noexcept {
    return false;
  }
};

// A plan's packed weights.
using WeightVector = std::vector<float, ArenaAllocator<float>>;

}  // namespace c4j
