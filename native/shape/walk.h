// Walking an N-dimensional index space row by row (a row: the last axis), with one or more input
// streams read through their own strides. Shared by every kernel of native/shape/.
#pragma once
#include <cstdint>

#include "shape.h"

namespace keel {
namespace shape {

/**
 * Drops size-1 axes and merges neighbouring axes that every stream reads contiguously
 * (s[d] == s[d + 1] * shape[d + 1]), so fewer, longer rows are walked. Needs every dim >= 1.
 */
template <int N>
void simplify(int& rank, int64_t* shape, int64_t* const (&strides)[N]) {
  int r = 0;
  for (int d = 0; d < rank; d++) {
    if (shape[d] == 1) continue;
    bool merge = r > 0;
    for (int k = 0; k < N && merge; k++)
      merge = strides[k][r - 1] == strides[k][d] * shape[d];
    if (merge) {
      shape[r - 1] *= shape[d];
      for (int k = 0; k < N; k++) strides[k][r - 1] = strides[k][d];
    } else {
      shape[r] = shape[d];
      for (int k = 0; k < N; k++) strides[k][r] = strides[k][d];
      r++;
    }
  }
  rank = r;
}

/**
 * For rows [begin, end) of shape (every axis but the last; rank >= 1) calls row(r, off), off[k]
 * being stream k's offset Σ i_d strides[k][d] of the row's first element; odometer order.
 */
template <int N, class Fn>
void for_rows(const int64_t* shape, const int64_t* const (&strides)[N], int rank, int64_t begin,
              int64_t end, const Fn& row) {
  int64_t idx[kMaxShapeRank] = {0};
  int64_t off[N] = {0};
  int64_t rest = begin;
  for (int d = rank - 2; d >= 0; d--) {
    idx[d] = rest % shape[d];
    rest /= shape[d];
    for (int k = 0; k < N; k++) off[k] += idx[d] * strides[k][d];
  }
  for (int64_t r = begin; r < end; r++) {
    row(r, static_cast<const int64_t*>(off));
    for (int d = rank - 2; d >= 0; d--) {
      idx[d]++;
      for (int k = 0; k < N; k++) off[k] += strides[k][d];
      if (idx[d] < shape[d]) break;
      for (int k = 0; k < N; k++) off[k] -= strides[k][d] * idx[d];
      idx[d] = 0;
    }
  }
}

/** Elements per parallel chunk: copies are memory bound, so threads pay off only on large ones
 * (with 16K, a [12, 4, 64, 32] transpose ran 30x slower on 2 threads of a loaded machine). */
constexpr int64_t kGrainElements = 262144;

/** Rows per parallel chunk so that each chunk moves about kGrainElements elements. */
inline int64_t row_grain(int64_t row_length) {
  return kGrainElements / (row_length > 0 ? row_length : 1) + 1;
}

}  // namespace shape
}  // namespace keel
