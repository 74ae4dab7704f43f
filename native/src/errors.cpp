#include "errors.h"

#include <cstdarg>
#include <cstdio>

namespace {
thread_local char last_error[512] = "";
}

namespace c4j {

int32_t fail(int32_t status, const char* fmt, ...) {
  va_list args;
  va_start(args, fmt);
  std::vsnprintf(last_error, sizeof last_error, fmt, args);
  va_end(args);
  return status;
}

bool span_ok(const void* ptr, int64_t len, int64_t off, int64_t count) {
  return ptr != nullptr && len >= 0 && off >= 0 && count >= 0 && off <= len && count <= len - off;
}

}  // namespace c4j

extern "C" const char* c4j_last_error(void) { return last_error; }
