// Transpose, slice (strided copy), pad and tile (mapped copy) and concat: each output row is
// filled from rows of the input found through strides, threaded over rows.
#include <cstring>

#include "../threadpool.h"
#include "shape.h"
#include "walk.h"

namespace keel {
namespace {

using shape::for_rows;
using shape::row_grain;
using shape::simplify;

int64_t count(const int64_t* shape, int rank) {
  int64_t n = 1;
  for (int d = 0; d < rank; d++) n *= shape[d];
  return n;
}

/** y (contiguous, `shape`) = x read through strides from offset; rank already simplified. */
template <class T>
void gather_rows(const T* x, int64_t offset, const int64_t* strides, T* y, const int64_t* shape,
                 int rank) {
  if (rank == 0) {
    y[0] = x[offset];
    return;
  }
  const int64_t L = shape[rank - 1], ls = strides[rank - 1];
  const int64_t* const s[1] = {strides};
  parallel_for(count(shape, rank - 1), row_grain(L), [&](int64_t r0, int64_t r1) {
    for_rows<1>(shape, s, rank, r0, r1, [&](int64_t r, const int64_t* off) {
      const T* src = x + offset + off[0];
      T* dst = y + r * L;
      if (ls == 1) std::memcpy(dst, src, static_cast<size_t>(L) * sizeof(T));
      else
        for (int64_t i = 0; i < L; i++) dst[i] = src[i * ls];
    });
  });
}

}  // namespace

template <class T>
void strided_copy(const T* x, int64_t offset, const int64_t* strides, T* y, const int64_t* shape,
                  int rank) {
  int64_t sh[kMaxShapeRank], st[kMaxShapeRank];
  for (int d = 0; d < rank; d++) {
    if (shape[d] == 0) return;
    sh[d] = shape[d];
    st[d] = strides[d];
  }
  int64_t* const s[1] = {st};
  simplify<1>(rank, sh, s);
  gather_rows(x, offset, st, y, sh, rank);
}

template <class T>
void transpose(const T* x, T* y, const int64_t* x_shape, const int64_t* perm, int rank) {
  int64_t xs[kMaxShapeRank], sh[kMaxShapeRank], st[kMaxShapeRank];
  int64_t stride = 1;
  for (int d = rank - 1; d >= 0; d--) {
    if (x_shape[d] == 0) return;
    xs[d] = stride;
    stride *= x_shape[d];
  }
  for (int d = 0; d < rank; d++) {
    sh[d] = x_shape[perm[d]];
    st[d] = xs[perm[d]];
  }
  int64_t* const s[1] = {st};
  simplify<1>(rank, sh, s);
  int k = -1;  // the output axis that walks x contiguously, when it is not the last
  for (int d = 0; d + 1 < rank; d++)
    if (st[d] == 1) k = d;
  if (rank < 2 || st[rank - 1] == 1 || k < 0) {
    gather_rows(x, 0, st, y, sh, rank);
    return;
  }
  // Tiles of B x B over (axis k, last axis): reads run along x's rows, writes along y's rows.
  // 32-byte tile rows measured fastest (8 floats): with power-of-two row strides, larger tiles
  // put more lines in one cache set than it has ways.
  constexpr int64_t B = 32 / sizeof(T);
  int64_t ys[kMaxShapeRank];
  stride = 1;
  for (int d = rank - 1; d >= 0; d--) {
    ys[d] = stride;
    stride *= sh[d];
  }
  const int64_t K = sh[k], L = sh[rank - 1], sl = st[rank - 1], ysk = ys[k];
  const int64_t kblocks = (K + B - 1) / B;
  const int64_t outer = count(sh, rank) / (K * L);
  parallel_for(outer * kblocks, shape::kGrainElements / (B * L) + 1, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; t++) {
      int64_t o = t / kblocks, xb = 0, yb = 0;
      for (int d = rank - 2; d >= 0; d--) {
        if (d == k) continue;
        const int64_t i = o % sh[d];
        o /= sh[d];
        xb += i * st[d];
        yb += i * ys[d];
      }
      const int64_t i0 = (t % kblocks) * B, i1 = i0 + B < K ? i0 + B : K;
      for (int64_t j0 = 0; j0 < L; j0 += B) {
        const int64_t j1 = j0 + B < L ? j0 + B : L;
        for (int64_t i = i0; i < i1; i++) {
          const T* src = x + xb + i;
          T* dst = y + yb + i * ysk;
          for (int64_t j = j0; j < j1; j++) dst[j] = src[j * sl];
        }
      }
    }
  });
}

template <class T>
void mapped_copy(const T* x, const int32_t* maps, const int64_t* x_strides, T* y,
                 const int64_t* shape, int rank, T fill) {
  const int64_t n = count(shape, rank);
  if (n == 0) return;
  if (rank == 0) {
    y[0] = x[0];
    return;
  }
  const int32_t* m[kMaxShapeRank];
  int64_t at = 0;
  for (int d = 0; d < rank; d++) {
    m[d] = maps + at;
    at += shape[d];
  }
  const int64_t L = shape[rank - 1], ls = x_strides[rank - 1];
  const int32_t* last = m[rank - 1];
  parallel_for(n / L, row_grain(L), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      int64_t rest = r, base = 0;
      for (int d = rank - 2; d >= 0 && base >= 0; d--) {
        const int32_t j = m[d][rest % shape[d]];
        rest /= shape[d];
        base = j < 0 ? -1 : base + j * x_strides[d];
      }
      T* dst = y + r * L;
      if (base < 0) {
        for (int64_t i = 0; i < L; i++) dst[i] = fill;
        continue;
      }
      for (int64_t i = 0; i < L; i++) {
        const int32_t j = last[i];
        dst[i] = j < 0 ? fill : x[base + j * ls];
      }
    }
  });
}

template <class T>
void concat_part(const T* x, T* y, int64_t outer, int64_t inner, int64_t row, int64_t start) {
  if (inner == 0) return;
  parallel_for(outer, row_grain(inner), [&](int64_t o0, int64_t o1) {
    for (int64_t o = o0; o < o1; o++)
      std::memcpy(y + o * row + start, x + o * inner, static_cast<size_t>(inner) * sizeof(T));
  });
}

#define KEEL_SHAPE_COPY(T)                                                                     \
  template void strided_copy<T>(const T*, int64_t, const int64_t*, T*, const int64_t*, int);    \
  template void transpose<T>(const T*, T*, const int64_t*, const int64_t*, int);                \
  template void mapped_copy<T>(const T*, const int32_t*, const int64_t*, T*, const int64_t*,    \
                               int, T);                                                        \
  template void concat_part<T>(const T*, T*, int64_t, int64_t, int64_t, int64_t);
KEEL_SHAPE_COPY(uint8_t)
KEEL_SHAPE_COPY(uint32_t)
#undef KEEL_SHAPE_COPY

}  // namespace keel
