// Threaded drivers of the per-ISA elementwise and reduction kernels.
#pragma once
#include <cstdint>

namespace keel {

/** y = op(x) over n contiguous floats. */
void unary_f32(int op, const float* x, float* y, int64_t n, float alpha, float beta);

/**
 * y = a op b with broadcasting: y has shape[0..rank) (row-major, contiguous); element (i...) of a
 * is a[sum i_d * a_strides[d]] (stride 0 along broadcast axes), likewise for b.
 */
void binary_f32(int op, const float* a, const int64_t* a_strides, const float* b,
                const int64_t* b_strides, float* y, const int64_t* shape, int rank);

/** y [outer, inner] = reduction of x [outer, R, inner] over R. */
void reduce_f32(int op, const float* x, float* y, int64_t outer, int64_t R, int64_t inner);

}  // namespace keel
