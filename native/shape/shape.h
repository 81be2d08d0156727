// Data movement kernels: they copy elements without looking at them, so one instantiation per
// element size (uint8_t for bool, uint32_t for float32 and int32) serves every dtype. Callers
// (shape_napi.cc) have checked that every index these kernels form stays inside the arrays.
#pragma once
#include <cstdint>

namespace keel {

/** Ranks the shape kernels take (the TypeScript side falls back above it). */
constexpr int kMaxShapeRank = 8;

/** y = x with axes permuted: y.shape[i] = x_shape[perm[i]]; 2-D tiles keep reads and writes in cache. */
template <class T>
void transpose(const T* x, T* y, const int64_t* x_shape, const int64_t* perm, int rank);

/** y[i...] = x[offset + sum_d i_d * strides[d]] for every index of shape (strides >= 0): slice. */
template <class T>
void strided_copy(const T* x, int64_t offset, const int64_t* strides, T* y, const int64_t* shape,
                  int rank);

/**
 * y[i...] = x[sum_d maps_d[i_d] * x_strides[d]], or fill where some maps_d[i_d] is -1 (pad, tile).
 * maps holds the axes' maps end to end: shape[0] entries for axis 0, then shape[1], ...
 */
template <class T>
void mapped_copy(const T* x, const int32_t* maps, const int64_t* x_strides, T* y,
                 const int64_t* shape, int rank, T fill);

/** Row o of x [outer, inner] goes to y [outer, row] at columns [start, start + inner): concat. */
template <class T>
void concat_part(const T* x, T* y, int64_t outer, int64_t inner, int64_t row, int64_t start);

/** y = cond ? a : b, each read through broadcast strides (0 on broadcast axes) over y's shape. */
template <class T>
void where(const uint8_t* cond, const int64_t* sc, const T* a, const int64_t* sa, const T* b,
           const int64_t* sb, T* y, const int64_t* shape, int rank);

/** y [n, depth] = on where k = indices[j] in [0, depth), else off. */
void one_hot(const int32_t* indices, int64_t n, int64_t depth, float on, float off, float* y);

}  // namespace keel
