// Base of every native plan. A handle is a Plan* cast to int64; the magic word and kind let entry points refuse
// a handle that is not a live plan of the kind they expect instead of running on garbage.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

#include "errors.h"

namespace c4j {

enum class PlanKind : uint32_t { Conv2d = 1, ConvTranspose2d, Pool2d, Linear };

struct Plan {
  static constexpr uint32_t kMagic = 0xC04A11u;
  uint32_t magic = kMagic;
  PlanKind kind;
  explicit Plan(PlanKind k) : kind(k) {}
  virtual ~Plan() { magic = 0; }
};

// The plan behind a handle, or nullptr (with c4j_last_error set) when it is not a live plan of that kind.
template <typename T>
T* plan_cast(int64_t handle, PlanKind kind) {
  auto* p = reinterpret_cast<Plan*>(static_cast<intptr_t>(handle));
  if (p == nullptr || p->magic != Plan::kMagic || p->kind != kind) {
    fail(C4J_ERR_HANDLE, "not a live plan of the expected kind");
    return nullptr;
  }
  return static_cast<T*>(p);
}

inline int64_t to_handle(Plan* p) { return static_cast<int64_t>(reinterpret_cast<intptr_t>(p)); }

// Creating any plan requires AVX2+FMA: the kernels behind it are compiled for them.
bool require_isa();

// Per-thread scratch that only grows: after the first runs of a model no run allocates, and two threads running
// the same plan never share a buffer. slot separates buffers used at the same time by one thread.
float* scratch(int slot, size_t floats);

// A number for one run of a kernel whose threads each build their own copy of something (never 0).
uint64_t new_scratch_run();
// scratch(slot, floats) for such a copy: `fresh` is true when this thread has not yet filled the slot during `run`
// (the caller fills it now) and false when it has (the slot still holds that copy: a scratch() call for the slot
// in between makes the next one fresh again).
float* scratch_once(int slot, size_t floats, uint64_t run, bool& fresh);

}  // namespace c4j
