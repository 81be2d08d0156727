// Sliding-window geometry shared by convolution and pooling: the same numbers, in the same order,
// as Conv2DAttrs / Pool2DAttrs in src/backends/ts/kernels/window.ts. Layout is NHWC.
#pragma once
#include <cstdint>

namespace keel {

struct Conv2DGeom {
  int64_t batch, inH, inW, inC, outH, outW, outC, filterH, filterW, strideH, strideW, dilationH,
      dilationW, padTop, padLeft;
};

struct Pool2DGeom {
  int64_t batch, inH, inW, channels, outH, outW, poolH, poolW, strideH, strideW, padTop, padLeft;
};

/** y = conv(x, filter); y is accumulated into (it arrives zero-filled). */
void conv2d_forward(const float* x, const float* filter, float* y, const Conv2DGeom& a);
/** dx += the gradient of the input; dx arrives zero-filled. */
void conv2d_backprop_input(const float* dy, const float* filter, float* dx, const Conv2DGeom& a);
/** dw += the gradient of the filter; dw arrives zero-filled. */
void conv2d_backprop_filter(const float* x, const float* dy, float* dw, const Conv2DGeom& a);

void max_pool2d(const float* x, float* y, const Pool2DGeom& a);
void max_pool2d_backward(const float* dy, const float* x, const float* y, float* dx,
                         const Pool2DGeom& a);
void avg_pool2d(const float* x, float* y, const Pool2DGeom& a);
void avg_pool2d_backward(const float* dy, float* dx, const Pool2DGeom& a);

}  // namespace keel
