// Thread-local error text behind c4j_last_error(), and the checks every entry point makes.
#pragma once
#include <cstdint>

#include "conv4j.h"

namespace c4j {

// Records a printf-style message for c4j_last_error() and returns status, so checks read `return fail(...)`.
int32_t fail(int32_t status, const char* fmt, ...) __attribute__((format(printf, 2, 3)));

// Checks that [off, off + count) lies inside a buffer of len floats (and that ptr is non-null).
bool span_ok(const void* ptr, int64_t len, int64_t off, int64_t count);

}  // namespace c4j

// Returns from the enclosing function with C4J_ERR_ARG when a buffer span is out of range.
#define C4J_CHECK_SPAN(name, ptr, len, off, count)                                                         \
  do {                                                                                                     \
    if (!c4j::span_ok((ptr), (len), (off), (count)))                                                       \
      return c4j::fail(C4J_ERR_ARG, "%s: need %lld floats from offset %lld, buffer has %lld", (name),      \
                       static_cast<long long>(count), static_cast<long long>(off), static_cast<long long>(len)); \
  } while (0)
