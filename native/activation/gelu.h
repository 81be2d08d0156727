// GELU, tanh form, forward and backward in one pass each (see gelu.cc).
#pragma once
#include <cstdint>

namespace keel {

/** y = x (1 + tanh(u)) / 2 with u = √(2/π) (x + 0.044715 x³). */
void gelu_tanh(const float* x, float* y, int64_t n);

/** dx = dy ((1 + t) / 2 + x (1 - t²) √(2/π) (1 + 3 · 0.044715 x²) / 2), t = tanh(u). */
void gelu_tanh_backward(const float* dy, const float* x, float* dx, int64_t n);

}  // namespace keel
