// Fused convolution-area kernels: convolution + bias + activation in one pass, the activation's
// gradient, and the per-ISA kernels behind them (conv/fused_kernels.h, isa().conv).
#pragma once
#include <cstdint>

#include "window.h"

namespace keel {

/** The activations a fused kernel applies, in the order of FUSED_ACTIVATIONS in TypeScript. */
enum class Activation : int { linear = 0, relu, sigmoid, tanh, softmax, count };

/** One ISA's convolution-area kernels (isa().conv); each works on the range it is given
 * (threading is done by the caller). */
struct ConvIsa {
  // y pixels [p0, p1) = act(conv(x, w) + bias); not softmax; bias may be null.
  void (*conv_direct)(const float* x, const float* w, const float* bias, float* y,
                      const Conv2DGeom& a, int act, int64_t p0, int64_t p1);
  // dw += the filter gradient over output pixels [p0, p1).
  void (*filter_grad_direct)(const float* x, const float* dy, float* dw, const Conv2DGeom& a,
                             int64_t p0, int64_t p1);
  // y[r, :] = act(y[r, :] + bias) in place, rows [0, rows) of width C; bias may be null.
  void (*bias_act)(float* y, const float* bias, int64_t rows, int64_t C, int act);
  // dz = dy * act'(y), rows of width C.
  void (*act_grad)(const float* dy, const float* y, float* dz, int64_t rows, int64_t C, int act);
  // Max pooling of output rows [r0, r1) (r = b * outH + oh).
  void (*max_pool_rows)(const float* x, float* y, const Pool2DGeom& a, int64_t r0, int64_t r1);
  // dx += the max-pooling gradient of images [b0, b1).
  void (*max_pool_backward)(const float* dy, const float* x, const float* y, float* dx,
                            const Pool2DGeom& a, int64_t b0, int64_t b1);
  // y[m, :] = x[m, :] @ w for rows [m0, m1), w [K, N] narrow.
  void (*dense_rows)(const float* x, const float* w, float* y, int64_t K, int64_t N, int64_t m0,
                     int64_t m1);
};

/** True when the direct convolution beats im2col + GEMM: few taps per output pixel. */
bool conv_is_direct(const Conv2DGeom& a);

/** y = act(conv(x, filter) + bias); bias may be null; y's previous contents are ignored. */
void fused_conv2d(const float* x, const float* filter, const float* bias, float* y,
                  const Conv2DGeom& a, int act);
/** dw += the filter gradient by the direct method (for conv_is_direct geometries). */
void conv2d_backprop_filter_direct(const float* x, const float* dy, float* dw, const Conv2DGeom& a);
/** y = act(x + bias) over rows of C (bias may be null; x may equal y). */
void bias_activation(const float* x, const float* bias, float* y, int64_t rows, int64_t C,
                     int act);
/** y [M, N] = act(x [M, K] @ w [K, N] + bias); bias may be null. */
void fused_dense(const float* x, const float* w, const float* bias, float* y, int64_t M, int64_t K,
                 int64_t N, int act);
/** dz = dy * act'(y) over rows of C. */
void activation_grad(const float* dy, const float* y, float* dz, int64_t rows, int64_t C, int act);

}  // namespace keel
