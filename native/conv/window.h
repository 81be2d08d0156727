// Sliding-window geometry shared by convolution and pooling: Conv2DAttrs / Pool2DAttrs of
// src/backends/ts/kernels/window.ts, as attrs layouts (attrs.h). Tensors are NHWC.
#pragma once
#include <cstdint>

#include "../attrs.h"

/** Conv2DAttrs: X(field, least value); filter sizes, strides and dilations are at least 1. */
#define KEEL_CONV2D_ATTRS(X)                                                                \
  X(batch, 0) X(inH, 0) X(inW, 0) X(inC, 0) X(outH, 0) X(outW, 0) X(outC, 0) X(filterH, 1) \
  X(filterW, 1) X(strideH, 1) X(strideW, 1) X(dilationH, 1) X(dilationW, 1) X(padTop, 0)   \
  X(padLeft, 0)

/** Pool2DAttrs: X(field, least value); window sizes and strides are at least 1. */
#define KEEL_POOL2D_ATTRS(X)                                                                  \
  X(batch, 0) X(inH, 0) X(inW, 0) X(channels, 0) X(outH, 0) X(outW, 0) X(poolH, 1) X(poolW, 1) \
  X(strideH, 1) X(strideW, 1) X(padTop, 0) X(padLeft, 0)

namespace keel {

struct Conv2DGeom {
  KEEL_CONV2D_ATTRS(KEEL_ATTR_MEMBER)
};

struct Pool2DGeom {
  KEEL_POOL2D_ATTRS(KEEL_ATTR_MEMBER)
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
