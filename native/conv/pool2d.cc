// Max and average pooling over NHWC windows, ports of the TypeScript kernels (same NaN and
// padding rules); max pooling is vectorised over channels per ISA (fused_kernels.h). Forward
// passes are threaded over output rows, backward passes over images (windows of one image
// overlap, so its dx is written by one thread).
#include <cmath>

#include "../dispatch.h"
#include "../threadpool.h"
#include "fused.h"
#include "window.h"

namespace keel {
namespace {

inline int64_t max64(int64_t a, int64_t b) { return a > b ? a : b; }
inline int64_t min64(int64_t a, int64_t b) { return a < b ? a : b; }

/** The clipped window of output cell (oh, ow): rows [h0, h1), columns [w0, w1) of the input. */
struct Window {
  int64_t h0, h1, w0, w1;
};
inline Window window(const Pool2DGeom& a, int64_t oh, int64_t ow) {
  const int64_t h = oh * a.strideH - a.padTop, w = ow * a.strideW - a.padLeft;
  return {max64(h, 0), min64(h + a.poolH, a.inH), max64(w, 0), min64(w + a.poolW, a.inW)};
}

/** Runs f(b, oh) for every output row, threaded. */
template <class Fn>
void for_rows(const Pool2DGeom& a, Fn f) {
  const int64_t grain = 4096 / max64(a.outW * a.channels * a.poolH * a.poolW, 1) + 1;
  parallel_for(a.batch * a.outH, grain, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) f(r / a.outH, r % a.outH);
  });
}

}  // namespace

void max_pool2d(const float* x, float* y, const Pool2DGeom& a) {
  const ConvIsa& k = isa().conv;
  const int64_t grain = 4096 / max64(a.outW * a.channels * a.poolH * a.poolW, 1) + 1;
  parallel_for(a.batch * a.outH, grain,
               [&](int64_t r0, int64_t r1) { k.max_pool_rows(x, y, a, r0, r1); });
}

void max_pool2d_backward(const float* dy, const float* x, const float* y, float* dx,
                         const Pool2DGeom& a) {
  const ConvIsa& k = isa().conv;
  // Windows of one image may overlap, so each image's dx is written by one thread.
  const int64_t grain = 16384 / max64(a.inH * a.inW * a.channels, 1) + 1;
  parallel_for(a.batch, grain,
               [&](int64_t b0, int64_t b1) { k.max_pool_backward(dy, x, y, dx, a, b0, b1); });
}

void avg_pool2d(const float* x, float* y, const Pool2DGeom& a) {
  const int64_t C = a.channels;
  for_rows(a, [&](int64_t b, int64_t oh) {
    float* o = y + (b * a.outH + oh) * a.outW * C;
    for (int64_t ow = 0; ow < a.outW; ow++, o += C) {
      const Window win = window(a, oh, ow);
      for (int64_t c = 0; c < C; c++) o[c] = 0;
      for (int64_t ih = win.h0; ih < win.h1; ih++) {
        for (int64_t iw = win.w0; iw < win.w1; iw++) {
          const float* s = x + ((b * a.inH + ih) * a.inW + iw) * C;
          for (int64_t c = 0; c < C; c++) o[c] += s[c];
        }
      }
      const float scale = 1.0f / static_cast<float>((win.h1 - win.h0) * (win.w1 - win.w0));
      for (int64_t c = 0; c < C; c++) o[c] *= scale;
    }
  });
}

void avg_pool2d_backward(const float* dy, float* dx, const Pool2DGeom& a) {
  const int64_t C = a.channels;
  parallel_for(a.batch, 1, [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; b++) {
      for (int64_t oh = 0; oh < a.outH; oh++) {
        const float* g = dy + (b * a.outH + oh) * a.outW * C;
        for (int64_t ow = 0; ow < a.outW; ow++, g += C) {
          const Window win = window(a, oh, ow);
          const float scale = 1.0f / static_cast<float>((win.h1 - win.h0) * (win.w1 - win.w0));
          for (int64_t ih = win.h0; ih < win.h1; ih++) {
            for (int64_t iw = win.w0; iw < win.w1; iw++) {
              float* d = dx + ((b * a.inH + ih) * a.inW + iw) * C;
              for (int64_t c = 0; c < C; c++) d[c] += g[c] * scale;
            }
          }
        }
      }
    }
  });
}

}  // namespace keel
