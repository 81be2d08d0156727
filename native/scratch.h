// Overflow-checked sizes for the scratch and workspace buffers kernels allocate. A size that does
// not fit (or exceeds the limit below) throws std::length_error naming the kernel, the buffer and
// the factors, which the entry point's guard (napi_guard.h) turns into a JavaScript Error; an
// allocation that fails throws std::bad_alloc, handled the same way. Nothing aborts the process.
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <vector>

namespace keel {

/**
 * The largest scratch buffer any kernel may ask for, in elements (2^28: 1 GiB of floats). Real
 * kernels stay far below it (conv lowers 2^21 floats at a time, attention 64 query rows × keys);
 * only shapes that make a kernel's work pointless (zero depth against 2^32 keys) reach it, and
 * they get an error instead of a multi-gigabyte zero-filled buffer.
 */
constexpr int64_t kMaxScratchElements = int64_t{1} << 28;

/**
 * The product of the factors as a count of elements, checked: every factor is >= 0 and the
 * product (0 when any factor is) stays within kMaxScratchElements; otherwise std::length_error
 * naming `what` and the factors.
 */
inline size_t scratch_elements(const char* what, std::initializer_list<int64_t> factors) {
  bool bad = false, empty = false;
  for (int64_t f : factors) {
    if (f < 0) bad = true;
    if (f == 0) empty = true;
  }
  if (empty && !bad) return 0;  // a zero factor: nothing to allocate, however large the others
  int64_t n = 1;
  for (int64_t f : factors) {
    if (bad || n > kMaxScratchElements / f) {
      bad = true;
      break;
    }
    n *= f;
  }
  if (bad) {
    std::string dims;
    for (int64_t f : factors) dims += (dims.empty() ? "" : " x ") + std::to_string(f);
    throw std::length_error(std::string(what) + ": scratch of " + dims +
                            " elements is negative or too large");
  }
  return static_cast<size_t>(n);
}

/** A zero-filled scratch vector of the checked product of the factors. */
template <class T>
std::vector<T> scratch_vector(const char* what, std::initializer_list<int64_t> factors) {
  return std::vector<T>(scratch_elements(what, factors));
}

}  // namespace keel
