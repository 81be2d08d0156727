#include "elementwise.h"

#include "../dispatch.h"
#include "../threadpool.h"

namespace keel {

// Elements per thread below which splitting a loop costs more than it saves.
constexpr int64_t kGrain = 1 << 15;

void unary_f32(int op, const float* x, float* y, int64_t n, float alpha, float beta) {
  const ElementwiseIsa& k = isa().elementwise;
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) { k.unary(op, x + b, y + b, e - b, alpha, beta); });
}

void binary_f32(int op, const float* a, const int64_t* as, const float* b, const int64_t* bs,
                float* y, const int64_t* shape, int rank) {
  const ElementwiseIsa& k = isa().elementwise;
  int64_t n = 1;
  for (int d = 0; d < rank; d++) n *= shape[d];
  if (n == 0) return;
  if (rank == 0) {
    k.binary(op, a, 0, b, 0, y, 1);
    return;
  }
  const int64_t last = shape[rank - 1];
  const int64_t sa = as[rank - 1], sb = bs[rank - 1];
  const int64_t rows = n / last;
  parallel_for(rows, kGrain / last + 1, [&](int64_t r0, int64_t r1) {
    // The offsets of row r0, from its multi-index over all axes but the last.
    int64_t idx[16] = {0};
    int64_t ao = 0, bo = 0;
    for (int64_t d = rank - 2, r = r0; d >= 0; d--) {
      idx[d] = r % shape[d];
      r /= shape[d];
      ao += idx[d] * as[d];
      bo += idx[d] * bs[d];
    }
    for (int64_t r = r0; r < r1; r++) {
      k.binary(op, a + ao, sa, b + bo, sb, y + r * last, last);
      for (int d = rank - 2; d >= 0; d--) {
        idx[d]++;
        ao += as[d];
        bo += bs[d];
        if (idx[d] < shape[d]) break;
        ao -= as[d] * idx[d];
        bo -= bs[d] * idx[d];
        idx[d] = 0;
      }
    }
  });
}

void reduce_f32(int op, const float* x, float* y, int64_t outer, int64_t R, int64_t inner) {
  const ElementwiseIsa& k = isa().elementwise;
  if (outer * inner == 0) return;
  const int64_t per_output = R > 0 ? R : 1;
  if (outer >= num_threads() || inner == 1) {
    parallel_for(outer, kGrain / (per_output * inner) + 1, [&](int64_t o0, int64_t o1) {
      k.reduce(op, x + o0 * R * inner, y + o0 * inner, o1 - o0, R, inner, inner);
    });
    return;
  }
  // Few outer slices: split the columns instead.
  for (int64_t o = 0; o < outer; o++) {
    parallel_for(inner, kGrain / per_output + 1, [&](int64_t i0, int64_t i1) {
      k.reduce(op, x + o * R * inner + i0, y + o * inner + i0, 1, R, inner, i1 - i0);
    });
  }
}

}  // namespace keel
