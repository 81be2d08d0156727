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

/** The largest scratch buffer any kernel may ask for, in elements (2^34: 64 GiB of floats). */
constexpr int64_t kMaxScratchElements = int64_t{1} << 34;

/**
 * The product of the factors as a count of elements, checked: every factor is >= 0 and the
 * product stays within kMaxScratchElements; otherwise std::length_error naming `what`.
 */
inline size_t scratch_elements(const char* what, std::initializer_list<int64_t> factors) {
  int64_t n = 1;
  bool bad = false;
  for (int64_t f : factors) {
    if (f < 0) bad = true;
    else if (f != 0 && n > kMaxScratchElements / f) bad = true;
    else n *= f;
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
