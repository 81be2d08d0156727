// Fused layer normalization over the last axis, forward and backward (see layer_norm.cc).
#pragma once
#include <cstdint>

namespace keel {

/** y = (x - mean) * rstd * gamma + beta per row of x [rows, F]; saves mean and rstd [rows].
 * gamma and beta may be null. */
void layer_norm(const float* x, const float* gamma, const float* beta, float* y, float* mean,
                float* rstd, int64_t rows, int64_t F, double epsilon);

/** dx from dy, x, mean, rstd (and gamma); dgamma = Σ dy · x̂ and dbeta = Σ dy over the rows,
 * each written only when non-null. */
void layer_norm_backward(const float* dy, const float* x, const float* mean, const float* rstd,
                         const float* gamma, float* dx, float* dgamma, float* dbeta, int64_t rows,
                         int64_t F);

}  // namespace keel
