// CPU feature detection. Compiled without -mavx2: it must run on any x86-64 CPU.
#include <cpuid.h>
#include <cstring>

#include "conv4j.h"

namespace {

bool detect_avx2_fma() {
  unsigned a, b, c, d;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  const bool fma = c & (1u << 12), osxsave = c & (1u << 27), avx = c & (1u << 28);
  if (!(fma && osxsave && avx)) return false;
  // the OS must save YMM state (XCR0 bits 1 and 2)
  unsigned lo, hi;
  __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
  if ((lo & 6u) != 6u) return false;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  __cpuid_count(7, 0, a, b, c, d);
  return b & (1u << 5);  // AVX2
}

struct Brand {
  char text[49] = {0};
  Brand() {
    unsigned regs[12];
    if (__get_cpuid_max(0x80000000, nullptr) < 0x80000004) {
      std::strcpy(text, "unknown x86-64");
      return;
    }
    for (unsigned i = 0; i < 3; ++i)
      __get_cpuid(0x80000002 + i, &regs[4 * i], &regs[4 * i + 1], &regs[4 * i + 2], &regs[4 * i + 3]);
    std::memcpy(text, regs, 48);
    // the brand string is padded with spaces on some CPUs
    char* start = text;
    while (*start == ' ') ++start;
    std::memmove(text, start, std::strlen(start) + 1);
    for (int i = static_cast<int>(std::strlen(text)) - 1; i >= 0 && text[i] == ' '; --i) text[i] = 0;
  }
};

}  // namespace

extern "C" int32_t c4j_cpu_has_avx2_fma(void) {
  static const bool has = detect_avx2_fma();
  return has ? 1 : 0;
}

extern "C" const char* c4j_cpu_brand(void) {
  static const Brand brand;
  return brand.text;
}

extern "C" const char* c4j_version(void) { return "0.1.0"; }
