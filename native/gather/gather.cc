// Gathers copy whole rows, threaded over output rows. The scatter-add is threaded by ranges of
// segment ids: every thread reads all ids and adds only the rows whose segment falls in its range,
// so no two threads ever write the same row and the order of additions per row is the order of j
// (the same sums as the TypeScript kernel, bit for bit).
#include "gather.h"

#include <cstring>

#include "../threadpool.h"

namespace keel {

namespace {
// Below this many floats moved a call stays on one thread.
constexpr int64_t kParallelFloats = int64_t{1} << 16;
}  // namespace

void gather_rows(const float* x, const int32_t* idx, float* y, int64_t outer, int64_t axis,
                 int64_t inner, int64_t m) {
  const int64_t rows = outer * m;
  const int64_t grain = inner > 0 ? kParallelFloats / inner + 1 : rows;
  parallel_for(rows, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const int64_t o = r / m, j = r % m;
      std::memcpy(y + r * inner, x + (o * axis + idx[j]) * inner,
                  static_cast<size_t>(inner) * sizeof(float));
    }
  });
}

void segment_sum_rows(const float* data, const int32_t* ids, float* y, int64_t m, int64_t inner,
                      int64_t segments) {
  const int64_t grain = m * inner >= kParallelFloats ? 64 : segments;
  parallel_for(segments, grain, [&](int64_t s0, int64_t s1) {
    for (int64_t j = 0; j < m; j++) {
      const int64_t s = ids[j];
      if (s < s0 || s >= s1) continue;
      const float* src = data + j * inner;
      float* dst = y + s * inner;
      for (int64_t i = 0; i < inner; i++) dst[i] += src[i];
    }
  });
}

}  // namespace keel
