#include "plan.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace c4j {

bool require_isa() {
  if (c4j_cpu_has_avx2_fma()) return true;
  fail(C4J_ERR_ISA, "this CPU lacks AVX2/FMA, which the native kernels need");
  return false;
}

namespace {
constexpr int kSlots = 4;
struct Scratch {
  float* buf[kSlots] = {nullptr};
  size_t cap[kSlots] = {0};
  uint64_t run[kSlots] = {0};  // the run whose copy the slot holds (scratch_once), or 0
  ~Scratch() {
    for (auto* b : buf) std::free(b);
  }
};
thread_local Scratch tls_scratch;
std::atomic<uint64_t> scratch_runs{0};
}  // namespace

float* scratch(int slot, size_t floats) {
  if (slot < 0 || slot >= kSlots) return nullptr;
  Scratch& s = tls_scratch;
  s.run[slot] = 0;
  if (s.cap[slot] < floats) {
    std::free(s.buf[slot]);
    size_t bytes = ((floats * sizeof(float) + 63) / 64) * 64 + 64;  // 64-byte aligned, padded for vector tails
    s.buf[slot] = static_cast<float*>(std::aligned_alloc(64, bytes));
    s.cap[slot] = s.buf[slot] ? floats : 0;
  }
  return s.buf[slot];
}

uint64_t new_scratch_run() { return ++scratch_runs; }

float* scratch_once(int slot, size_t floats, uint64_t run, bool& fresh) {
  if (slot < 0 || slot >= kSlots) return nullptr;
  Scratch& s = tls_scratch;
  fresh = s.run[slot] != run || s.cap[slot] < floats;
  float* buf = scratch(slot, floats);  // clears the slot's run
  if (buf != nullptr) s.run[slot] = run;
  return buf;
}

}  // namespace c4j

extern "C" void c4j_plan_destroy(int64_t handle) {
  auto* p = reinterpret_cast<c4j::Plan*>(static_cast<intptr_t>(handle));
  if (p != nullptr && p->magic == c4j::Plan::kMagic) delete p;
}
