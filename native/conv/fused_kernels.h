// The convolution-area kernels of one ISA (included by conv/isa_*.cc inside keel::KEEL_ISA): a
// direct convolution for small receptive fields (fh*fw*inC taps, e.g. the 9 of a 3x3 filter on a
// 1-channel image, where im2col + GEMM would spend its time packing), its filter gradient, and the
// bias + activation epilogue and its gradient, all vectorised over the output channels.
#pragma once
#include <cmath>
#include <cstdint>

#include "../elementwise/math.h"
#include "fused.h"

namespace keel {
namespace KEEL_ISA {

#define KEEL_CONV_CAT2(a, b) a##b
#define KEEL_CONV_CAT(a, b) KEEL_CONV_CAT2(a, b)

/** n == W lanes (a plain load) or the first n < W. */
static inline F load_partial_or_full(const float* p, int n) {
  return n == W ? load(p) : load_partial(p, n);
}

/** Channels one pass of the direct convolution holds in registers. */
constexpr int kBlockVecs = 4;

/** The activation of one vector of pre-activations (softmax is done per row elsewhere). */
static inline F act_v(int act, F v) {
  switch (static_cast<Activation>(act)) {
    case Activation::relu: return max(zero(), v);  // NaN stays NaN (vec/README.md)
    case Activation::sigmoid: return sigmoid_v(v);
    case Activation::tanh: return tanh_v(v);
    default: return v;
  }
}

/** row[0, n) = softmax(row) in place: the maximum subtracted first, as the TypeScript kernel. */
static inline void softmax_row(float* row, int64_t n) {
  float m = -INFINITY;
  for (int64_t c = 0; c < n; c++)
    if (row[c] > m || row[c] != row[c]) m = row[c];
  if (m == INFINITY || m == -INFINITY) m = 0;
  float s = 0;
  int64_t c = 0;
  for (; c + W <= n; c += W) {
    F e = exp_v(load(row + c) - set1(m));
    store(row + c, e);
    s += hsum(e);
  }
  for (; c < n; c++) {
    const float e = std::exp(row[c] - m);
    row[c] = e;
    s += e;
  }
  const F inv = set1(1.0f / s);
  for (c = 0; c + W <= n; c += W) store(row + c, load(row + c) * inv);
  for (; c < n; c++) row[c] = row[c] / s;
}

/** y[r, :] = act(y[r, :] + bias) for rows [0, rows) of width C, in place (bias may be null). */
static void bias_act(float* y, const float* bias, int64_t rows, int64_t C, int act) {
  const bool softmax = static_cast<Activation>(act) == Activation::softmax;
  for (int64_t r = 0; r < rows; r++) {
    float* row = y + r * C;
    int64_t c = 0;
    for (; c + W <= C; c += W) {
      F v = load(row + c);
      if (bias) v = v + load(bias + c);
      store(row + c, softmax ? v : act_v(act, v));
    }
    if (c < C) {
      const int n = static_cast<int>(C - c);
      F v = load_partial(row + c, n);
      if (bias) v = v + load_partial(bias + c, n);
      store_partial(row + c, softmax ? v : act_v(act, v), n);
    }
    if (softmax) softmax_row(row, C);
  }
}

/** dz = dy * act'(y) with the derivative written from the activation's output y, rows of C. */
static void act_grad(const float* dy, const float* y, float* dz, int64_t rows, int64_t C, int act) {
  const Activation a = static_cast<Activation>(act);
  const int64_t n = rows * C;
  if (a == Activation::softmax) {
    for (int64_t r = 0; r < rows; r++) {
      const float* g = dy + r * C;
      const float* p = y + r * C;
      float* d = dz + r * C;
      float s = 0;
      for (int64_t c = 0; c < C; c++) s += g[c] * p[c];
      for (int64_t c = 0; c < C; c++) d[c] = p[c] * (g[c] - s);
    }
    return;
  }
  auto grad = [a](F g, F p) {
    switch (a) {
      case Activation::relu: return select(gt(p, zero()), g, zero());
      case Activation::sigmoid: return g * p * (set1(1.0f) - p);
      case Activation::tanh: return g * (set1(1.0f) - p * p);
      default: return g;
    }
  };
  int64_t i = 0;
  for (; i + W <= n; i += W) store(dz + i, grad(load(dy + i), load(y + i)));
  if (i < n) {
    const int m = static_cast<int>(n - i);
    store_partial(dz + i, grad(load_partial(dy + i, m), load_partial(y + i, m)), m);
  }
}

/** One pixel's channels [c0, c0 + cn) of the direct convolution, any geometry (border pixels). */
static void conv_pixel(const float* x, const float* w, const float* bias, float* out,
                       const Conv2DGeom& a, int act, int64_t b, int64_t h0, int64_t w0,
                       int64_t c0, int64_t cn) {
  const int64_t C = a.outC;
  const int nv = static_cast<int>((cn + W - 1) / W);
  const int tail = static_cast<int>(cn - (nv - 1) * W);  // lanes of the last vector
  F acc[kBlockVecs];
  for (int v = 0; v < nv; v++) {
    const int lanes = v == nv - 1 ? tail : W;
    acc[v] = bias ? load_partial_or_full(bias + c0 + v * W, lanes) : zero();
  }
  for (int64_t i = 0; i < a.filterH; i++) {
    const int64_t ih = h0 + i * a.dilationH;
    if (ih < 0 || ih >= a.inH) continue;
    for (int64_t j = 0; j < a.filterW; j++) {
      const int64_t iw = w0 + j * a.dilationW;
      if (iw < 0 || iw >= a.inW) continue;
      const float* xs = x + ((b * a.inH + ih) * a.inW + iw) * a.inC;
      const float* ws = w + (i * a.filterW + j) * a.inC * C + c0;
      for (int64_t ci = 0; ci < a.inC; ci++, ws += C) {
        const F xv = set1(xs[ci]);
        for (int v = 0; v < nv; v++) {
          const int lanes = v == nv - 1 ? tail : W;
          acc[v] = fma(xv, load_partial_or_full(ws + v * W, lanes), acc[v]);
        }
      }
    }
  }
  for (int v = 0; v < nv; v++) {
    const int lanes = v == nv - 1 ? tail : W;
    const F r = act_v(act, acc[v]);
    if (lanes == W) store(out + c0 + v * W, r);
    else store_partial(out + c0 + v * W, r, lanes);
  }
}

/**
 * PX neighbouring interior pixels (every tap inside the image) times kBlockVecs full vectors of
 * channels: the accumulators stay in registers and each filter row is loaded once per PX pixels.
 * xb points at the first pixel's window corner, xstep between pixels, off[t] each tap's offset.
 */
template <int PX>
static inline void conv_tile(const float* xb, int64_t xstep, const int64_t* off, int64_t K,
                             const float* w, int64_t C, const float* bias, float* out, int act) {
  F acc[PX][kBlockVecs];
  for (int v = 0; v < kBlockVecs; v++) {
    const F bv = bias ? load(bias + v * W) : zero();
    for (int p = 0; p < PX; p++) acc[p][v] = bv;
  }
  for (int64_t t = 0; t < K; t++) {
    const float* wt = w + t * C;
    const int64_t o = off[t];
    for (int p = 0; p < PX; p++) {
      const F xv = set1(xb[p * xstep + o]);
      for (int v = 0; v < kBlockVecs; v++) acc[p][v] = fma(xv, load(wt + v * W), acc[p][v]);
    }
  }
  for (int p = 0; p < PX; p++)
    for (int v = 0; v < kBlockVecs; v++) store(out + p * C + v * W, act_v(act, acc[p][v]));
}

/** Output pixels [p0, p1) of the direct convolution with bias and activation (not softmax). */
static void conv_direct(const float* x, const float* w, const float* bias, float* y,
                        const Conv2DGeom& a, int act, int64_t p0, int64_t p1) {
  const int64_t C = a.outC;
  constexpr int64_t B = kBlockVecs * W;
  constexpr int PX = 3;
  const int64_t K = a.filterH * a.filterW * a.inC;
  int64_t off[32];  // conv_is_direct: K <= 32
  const bool tiled = K <= 32;
  if (tiled) {
    int64_t t = 0;
    for (int64_t i = 0; i < a.filterH; i++)
      for (int64_t j = 0; j < a.filterW; j++)
        for (int64_t ci = 0; ci < a.inC; ci++)
          off[t++] = (i * a.dilationH * a.inW + j * a.dilationW) * a.inC + ci;
  }
  // Output columns whose whole window lies inside the image: [owLo, owHi).
  const int64_t spanW = (a.filterW - 1) * a.dilationW, spanH = (a.filterH - 1) * a.dilationH;
  int64_t owLo = (a.padLeft + a.strideW - 1) / a.strideW;
  int64_t owHi = a.inW - 1 - spanW + a.padLeft >= 0 ? (a.inW - 1 - spanW + a.padLeft) / a.strideW + 1 : 0;
  if (owHi > a.outW) owHi = a.outW;
  const int64_t xstep = a.strideW * a.inC;
  for (int64_t p = p0; p < p1;) {
    const int64_t ow0 = p % a.outW, t = p / a.outW, oh = t % a.outH, b = t / a.outH;
    const int64_t rowEnd = p - ow0 + a.outW < p1 ? p - ow0 + a.outW : p1;
    const int64_t h0 = oh * a.strideH - a.padTop;
    const bool rowInside = h0 >= 0 && h0 + spanH < a.inH;
    for (int64_t c0 = 0; c0 < C; c0 += B) {
      const int64_t cn = C - c0 < B ? C - c0 : B;
      for (int64_t q = p; q < rowEnd;) {
        const int64_t ow = ow0 + (q - p);
        const int64_t w0 = ow * a.strideW - a.padLeft;
        float* out = y + q * C + c0;
        if (tiled && rowInside && cn == B && ow >= owLo && ow + PX <= owHi && q + PX <= rowEnd) {
          conv_tile<PX>(x + ((b * a.inH + h0) * a.inW + w0) * a.inC, xstep, off, K, w + c0, C,
                        bias ? bias + c0 : nullptr, out, act);
          q += PX;
        } else {
          conv_pixel(x, w, bias, y + q * C, a, act, b, h0, w0, c0, cn);
          q += 1;
        }
      }
    }
    p = rowEnd;
  }
}

/**
 * dw[tap, co] += Σ_p x(p, tap) dy[p, co] over output pixels [p0, p1): for each block of pixels
 * (kept in cache) every tap of the filter sweeps it once, channels in registers.
 */
static void filter_grad_direct(const float* x, const float* dy, float* dw, const Conv2DGeom& a,
                               int64_t p0, int64_t p1) {
  const int64_t C = a.outC;
  constexpr int64_t B = kBlockVecs * W;
  constexpr int64_t kPixels = 128;
  for (int64_t q0 = p0; q0 < p1; q0 += kPixels) {
    const int64_t q1 = q0 + kPixels < p1 ? q0 + kPixels : p1;
    for (int64_t i = 0; i < a.filterH; i++) {
      for (int64_t j = 0; j < a.filterW; j++) {
        for (int64_t ci = 0; ci < a.inC; ci++) {
          float* dws = dw + ((i * a.filterW + j) * a.inC + ci) * C;
          for (int64_t c0 = 0; c0 < C; c0 += B) {
            const int64_t cn = C - c0 < B ? C - c0 : B;
            const int nv = static_cast<int>((cn + W - 1) / W);
            const int tail = static_cast<int>(cn - (nv - 1) * W);
            F acc[kBlockVecs];
            for (int v = 0; v < nv; v++) acc[v] = zero();
            for (int64_t p = q0; p < q1; p++) {
              const int64_t ow = p % a.outW, t = p / a.outW, oh = t % a.outH, b = t / a.outH;
              const int64_t ih = oh * a.strideH - a.padTop + i * a.dilationH;
              const int64_t iw = ow * a.strideW - a.padLeft + j * a.dilationW;
              if (ih < 0 || ih >= a.inH || iw < 0 || iw >= a.inW) continue;
              const F xv = set1(x[((b * a.inH + ih) * a.inW + iw) * a.inC + ci]);
              const float* g = dy + p * C + c0;
              if (nv == kBlockVecs && tail == W) {
                for (int v = 0; v < kBlockVecs; v++) acc[v] = fma(xv, load(g + v * W), acc[v]);
              } else {
                for (int v = 0; v < nv; v++) {
                  const int lanes = v == nv - 1 ? tail : W;
                  acc[v] = fma(xv, load_partial_or_full(g + v * W, lanes), acc[v]);
                }
              }
            }
            for (int v = 0; v < nv; v++) {
              const int lanes = v == nv - 1 ? tail : W;
              float* d = dws + c0 + v * W;
              if (lanes == W) store(d, load(d) + acc[v]);
              else store_partial(d, load_partial(d, lanes) + acc[v], lanes);
            }
          }
        }
      }
    }
  }
}

/** Max pooling of output rows [r0, r1) (r = b * outH + oh), channels vectorised; NaN wins. */
static void max_pool_rows(const float* x, float* y, const Pool2DGeom& a, int64_t r0, int64_t r1) {
  const int64_t C = a.channels;
  for (int64_t r = r0; r < r1; r++) {
    const int64_t b = r / a.outH, oh = r % a.outH;
    const int64_t h = oh * a.strideH - a.padTop;
    const int64_t ih0 = h > 0 ? h : 0, ih1 = h + a.poolH < a.inH ? h + a.poolH : a.inH;
    float* o = y + r * a.outW * C;
    for (int64_t ow = 0; ow < a.outW; ow++, o += C) {
      const int64_t w = ow * a.strideW - a.padLeft;
      const int64_t iw0 = w > 0 ? w : 0, iw1 = w + a.poolW < a.inW ? w + a.poolW : a.inW;
      for (int64_t c = 0; c < C; c += W) {
        const int n = C - c < W ? static_cast<int>(C - c) : W;
        F m = set1(-INFINITY);
        for (int64_t ih = ih0; ih < ih1; ih++) {
          const float* s = x + ((b * a.inH + ih) * a.inW + iw0) * C + c;
          for (int64_t iw = iw0; iw < iw1; iw++, s += C) {
            // max(m, v) passes a NaN v on (vec/README.md); a NaN m is kept explicitly.
            m = select(is_nan(m), m, max(m, load_partial_or_full(s, n)));
          }
        }
        if (n == W) store(o + c, m);
        else store_partial(o + c, m, n);
      }
    }
  }
}

/**
 * The max-pooling gradient of images [b0, b1): each output cell's dy goes to the first cell of
 * its window (row-major) equal to its maximum y (a NaN maximum to the first NaN), as the TS kernel.
 */
static void max_pool_backward_images(const float* dy, const float* x, const float* y, float* dx,
                                     const Pool2DGeom& a, int64_t b0, int64_t b1) {
  const int64_t C = a.channels;
  for (int64_t b = b0; b < b1; b++) {
    for (int64_t oh = 0; oh < a.outH; oh++) {
      const int64_t h = oh * a.strideH - a.padTop;
      const int64_t ih0 = h > 0 ? h : 0, ih1 = h + a.poolH < a.inH ? h + a.poolH : a.inH;
      for (int64_t ow = 0; ow < a.outW; ow++) {
        const int64_t w = ow * a.strideW - a.padLeft;
        const int64_t iw0 = w > 0 ? w : 0, iw1 = w + a.poolW < a.inW ? w + a.poolW : a.inW;
        const int64_t o = ((b * a.outH + oh) * a.outW + ow) * C;
        for (int64_t c = 0; c < C; c += W) {
          const int n = C - c < W ? static_cast<int>(C - c) : W;
          const F m = load_partial_or_full(y + o + c, n);
          const M mnan = is_nan(m);
          // What is left to hand out: dy until the first match, then 0.
          F g = load_partial_or_full(dy + o + c, n);
          F pending = set1(1.0f);
          for (int64_t ih = ih0; ih < ih1; ih++) {
            for (int64_t iw = iw0; iw < iw1; iw++) {
              const int64_t s = ((b * a.inH + ih) * a.inW + iw) * C + c;
              const F v = load_partial_or_full(x + s, n);
              const F hit = select(eq(v, m), pending, select(mnan, select(is_nan(v), pending, zero()), zero()));
              float* d = dx + s;
              const F add = select(gt(hit, zero()), g, zero());
              if (n == W) store(d, load(d) + add);
              else store_partial(d, load_partial(d, n) + add, n);
              pending = select(gt(hit, zero()), zero(), pending);
            }
          }
        }
      }
    }
  }
}

/**
 * y[m, :] = x[m, :] @ w rows [m0, m1) for a narrow w [K, N] (a classifier head): each row streams
 * w once with the N outputs in registers, where a GEMM would spend its time packing w.
 */
static void dense_rows(const float* x, const float* w, float* y, int64_t K, int64_t N,
                       int64_t m0, int64_t m1) {
  constexpr int64_t B = kBlockVecs * W;
  for (int64_t m = m0; m < m1; m++) {
    const float* xr = x + m * K;
    for (int64_t c0 = 0; c0 < N; c0 += B) {
      const int64_t cn = N - c0 < B ? N - c0 : B;
      const int nv = static_cast<int>((cn + W - 1) / W);
      const int tail = static_cast<int>(cn - (nv - 1) * W);
      // Two accumulator sets over alternate k hide the FMA latency.
      F acc0[kBlockVecs], acc1[kBlockVecs];
      for (int v = 0; v < kBlockVecs; v++) acc0[v] = acc1[v] = zero();
      const float* wc = w + c0;
      int64_t k = 0;
      if (nv == kBlockVecs && tail == W) {
        for (; k + 2 <= K; k += 2) {
          const F x0 = set1(xr[k]), x1 = set1(xr[k + 1]);
          for (int v = 0; v < kBlockVecs; v++) {
            acc0[v] = fma(x0, load(wc + k * N + v * W), acc0[v]);
            acc1[v] = fma(x1, load(wc + (k + 1) * N + v * W), acc1[v]);
          }
        }
      } else {
        for (; k + 2 <= K; k += 2) {
          const F x0 = set1(xr[k]), x1 = set1(xr[k + 1]);
          for (int v = 0; v < nv; v++) {
            const int lanes = v == nv - 1 ? tail : W;
            acc0[v] = fma(x0, load_partial_or_full(wc + k * N + v * W, lanes), acc0[v]);
            acc1[v] = fma(x1, load_partial_or_full(wc + (k + 1) * N + v * W, lanes), acc1[v]);
          }
        }
      }
      for (; k < K; k++) {
        const F x0 = set1(xr[k]);
        for (int v = 0; v < nv; v++) {
          const int lanes = v == nv - 1 ? tail : W;
          acc0[v] = fma(x0, load_partial_or_full(wc + k * N + v * W, lanes), acc0[v]);
        }
      }
      for (int v = 0; v < nv; v++) {
        const int lanes = v == nv - 1 ? tail : W;
        const F r = acc0[v] + acc1[v];
        if (lanes == W) store(y + m * N + c0 + v * W, r);
        else store_partial(y + m * N + c0 + v * W, r, lanes);
      }
    }
  }
}

}  // namespace KEEL_ISA

const ConvIsa* KEEL_CONV_CAT(conv_isa_, KEEL_ISA)() {
  static const ConvIsa table = {KEEL_ISA::conv_direct,   KEEL_ISA::filter_grad_direct,
                                KEEL_ISA::bias_act,      KEEL_ISA::act_grad,
                                KEEL_ISA::max_pool_rows, KEEL_ISA::max_pool_backward_images,
                                KEEL_ISA::dense_rows};
  return &table;
}

}  // namespace keel
