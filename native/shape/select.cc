// where (elementwise choice between two broadcast inputs) and oneHot, threaded over rows.
#include "../threadpool.h"
#include "shape.h"
#include "walk.h"

namespace keel {

template <class T>
void where(const uint8_t* cond, const int64_t* sc, const T* a, const int64_t* sa, const T* b,
           const int64_t* sb, T* y, const int64_t* shape, int rank) {
  int64_t sh[kMaxShapeRank], s0[kMaxShapeRank], s1[kMaxShapeRank], s2[kMaxShapeRank];
  for (int d = 0; d < rank; d++) {
    if (shape[d] == 0) return;
    sh[d] = shape[d];
    s0[d] = sc[d];
    s1[d] = sa[d];
    s2[d] = sb[d];
  }
  int64_t* const s[3] = {s0, s1, s2};
  shape::simplify<3>(rank, sh, s);
  if (rank == 0) {
    y[0] = cond[0] ? a[0] : b[0];
    return;
  }
  const int64_t L = sh[rank - 1], lc = s0[rank - 1], la = s1[rank - 1], lb = s2[rank - 1];
  const int64_t* const cs[3] = {s0, s1, s2};
  int64_t rows = 1;
  for (int d = 0; d + 1 < rank; d++) rows *= sh[d];
  parallel_for(rows, shape::row_grain(L), [&](int64_t r0, int64_t r1) {
    shape::for_rows<3>(sh, cs, rank, r0, r1, [&](int64_t r, const int64_t* off) {
      const uint8_t* c = cond + off[0];
      const T* pa = a + off[1];
      const T* pb = b + off[2];
      T* dst = y + r * L;
      if (lc == 1 && la == 1 && lb == 1) {
        for (int64_t i = 0; i < L; i++) dst[i] = c[i] ? pa[i] : pb[i];
      } else {
        for (int64_t i = 0; i < L; i++) dst[i] = c[i * lc] ? pa[i * la] : pb[i * lb];
      }
    });
  });
}

template void where<uint8_t>(const uint8_t*, const int64_t*, const uint8_t*, const int64_t*,
                             const uint8_t*, const int64_t*, uint8_t*, const int64_t*, int);
template void where<uint32_t>(const uint8_t*, const int64_t*, const uint32_t*, const int64_t*,
                              const uint32_t*, const int64_t*, uint32_t*, const int64_t*, int);

void one_hot(const int32_t* indices, int64_t n, int64_t depth, float on, float off, float* y) {
  if (depth == 0) return;
  parallel_for(n, shape::row_grain(depth), [&](int64_t j0, int64_t j1) {
    for (int64_t j = j0; j < j1; j++) {
      float* row = y + j * depth;
      for (int64_t k = 0; k < depth; k++) row[k] = off;
      const int64_t k = indices[j];
      if (k >= 0 && k < depth) row[k] = on;
    }
  });
}

}  // namespace keel
