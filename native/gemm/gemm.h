// Single-precision GEMM on strided operands: C (+)= op(A) @ op(B).
#pragma once
#include <cstdint>

namespace keel {

/**
 * op(A) is [M, K] with element (i, k) at A[i*ars + k*acs]; op(B) is [K, N] with element (k, j) at
 * B[k*brs + j*bcs]; C is [M, N] with row stride ldc. Every transpose combination is a choice of
 * strides. With accumulate the product is added to C, otherwise it replaces it.
 */
struct GemmArgs {
  int64_t M, N, K;
  const float* A;
  int64_t ars, acs;
  const float* B;
  int64_t brs, bcs;
  float* C;
  int64_t ldc;
  bool accumulate;
};

/** One GEMM on up to `max_threads` threads (the pool's size caps it; small products run on one). */
void sgemm(const GemmArgs& g, int max_threads);

/** `batch` GEMMs; entry b reads A + b*a_stride and B + b*b_stride and writes C + b*c_stride. */
void sgemm_batched(const GemmArgs& g, int64_t batch, int64_t a_stride, int64_t b_stride,
                   int64_t c_stride);

}  // namespace keel
