// Row gathers and scatter-adds on float32 rows, the embedding lookup and its gradient.
#pragma once
#include <cstdint>

namespace keel {

/** y[o, j, :] = x[o, idx[j], :] with x [outer, axis, inner], y [outer, m, inner]; indices in
 * [0, axis) (checked by the caller). */
void gather_rows(const float* x, const int32_t* idx, float* y, int64_t outer, int64_t axis,
                 int64_t inner, int64_t m);

/** y[s, :] += data[j, :] for every j with ids[j] = s >= 0 (negative ids are dropped); data is
 * [m, inner], y [segments, inner], ids below `segments` (checked by the caller). */
void segment_sum_rows(const float* data, const int32_t* ids, float* y, int64_t m, int64_t inner,
                      int64_t segments);

}  // namespace keel
