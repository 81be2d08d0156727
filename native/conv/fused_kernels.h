// The convolution-area kernels of one ISA, in keel::KEEL_ISA::conv (isa/table.h compiles them per
// ISA into isa().conv): a direct convolution for small receptive fields (fh*fw*inC taps, e.g. the
// 9 of a 3x3 filter on a 1-channel image, where im2col + GEMM would spend its time packing), its
// filter gradient, and the bias + activation epilogue and its gradient, all vectorised over the
// output channels.
#pragma once
#include <cmath>
#include <cstdint>

#include "../elementwise/math.h"
#include "fused.h"

namespace keel {
namespace KEEL_ISA {
namespace conv {

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

/** Channel vectors and pixels of one direct-convolution tile: 12 accumulators, 2 weights, 1 x. */
constexpr int kConvVecs = 2;
constexpr int kConvPixels = 6;

/** The widest vector of any ISA, in floats. */
constexpr int kMaxW = 16;
static_assert(W <= kMaxW, "kMaxW");

/** Lanes of vector v of a block of `cn` channels (0 past the end). */
static inline int lanes_of(int64_t cn, int v) {
  const int64_t n = cn - int64_t{v} * W;
  return n >= W ? W : n > 0 ? static_cast<int>(n) : 0;
}

/**
 * PX neighbouring interior pixels (every tap inside the image) times kConvVecs vectors of
 * channels [c0, c0 + cn): accumulators, weights and the broadcast x stay in registers. xb points
 * at the first pixel's window corner, xstep between pixels, off[t] each tap's offset, w and bias
 * at channel c0. Full: cn == kConvVecs * W, else the vectors are masked (a channel remainder).
 * relu is applied here; other activations by the caller.
 */
template <int PX, bool Full>
static inline void conv_tile(const float* xb, int64_t xstep, const int64_t* off, int64_t K,
                             const float* w, int64_t C, const float* bias, float* out, bool relu,
                             int64_t cn) {
  constexpr int NV = kConvVecs;
  int lanes[NV];
  for (int v = 0; v < NV; v++) lanes[v] = Full ? W : lanes_of(cn, v);
  auto ld = [&](const float* p, int v) { return Full ? load(p) : load_partial_or_full(p, lanes[v]); };
  const float* xp[PX];
  for (int p = 0; p < PX; p++) xp[p] = xb + p * xstep;
  F acc[PX][NV];
  for (int v = 0; v < NV; v++) {
    const F bv = ld(bias + v * W, v);
    for (int p = 0; p < PX; p++) acc[p][v] = bv;
  }
  int64_t t = 0;
  do {  // K >= 1
    const int64_t o = off[t];
    F wv[NV];
    for (int v = 0; v < NV; v++) wv[v] = ld(w + v * W, v);
    for (int p = 0; p < PX; p++) {
      const F xv = set1(xp[p][o]);
      for (int v = 0; v < NV; v++) acc[p][v] = fma(xv, wv[v], acc[p][v]);
    }
    w += C;
  } while (++t < K);
  // max(lo, v) keeps a NaN v (vec/README.md): relu with lo = 0, the identity with lo = -inf.
  const F lo = relu ? zero() : set1(-INFINITY);
  for (int p = 0; p < PX; p++) {
    for (int v = 0; v < NV; v++) {
      const F r = max(lo, acc[p][v]);
      float* o = out + p * C + v * W;
      if (Full || lanes[v] == W) store(o, r);
      else store_partial(o, r, lanes[v]);
    }
  }
}

/**
 * n interior pixels of one output row in tiles of kConvPixels; a remainder of 1 or 2 shares the
 * last two tiles with the full one before it (3 + 4, 4 + 4 pixels), as a tile of 1 or 2 pixels
 * has too few independent accumulators to keep the FMA units busy.
 */
template <bool Full>
static void conv_tiles(const float* xb, int64_t xstep, const int64_t* off, int64_t K,
                       const float* w, int64_t C, const float* bias, float* out, bool relu,
                       int64_t cn, int64_t n) {
  static_assert(kConvPixels == 6, "the cases below cover 1 .. 8 pixels");
  for (; n > 8 || n == 6; n -= 6, xb += 6 * xstep, out += 6 * C)
    conv_tile<6, Full>(xb, xstep, off, K, w, C, bias, out, relu, cn);
  switch (n) {
    case 1: return conv_tile<1, Full>(xb, xstep, off, K, w, C, bias, out, relu, cn);
    case 2: return conv_tile<2, Full>(xb, xstep, off, K, w, C, bias, out, relu, cn);
    case 3: return conv_tile<3, Full>(xb, xstep, off, K, w, C, bias, out, relu, cn);
    case 4: return conv_tile<4, Full>(xb, xstep, off, K, w, C, bias, out, relu, cn);
    case 5: return conv_tile<5, Full>(xb, xstep, off, K, w, C, bias, out, relu, cn);
    case 7:
      conv_tile<3, Full>(xb, xstep, off, K, w, C, bias, out, relu, cn);
      return conv_tile<4, Full>(xb + 3 * xstep, xstep, off, K, w, C, bias, out + 3 * C, relu, cn);
    case 8:
      conv_tile<4, Full>(xb, xstep, off, K, w, C, bias, out, relu, cn);
      return conv_tile<4, Full>(xb + 4 * xstep, xstep, off, K, w, C, bias, out + 4 * C, relu, cn);
    default: return;
  }
}

/**
 * Output pixels [p0, p1) of the direct convolution with bias and activation (not softmax):
 * pixels whose window lies inside the image go through register tiles, the padding border
 * through conv_pixel; sigmoid and tanh are applied per row afterwards, while it is in cache.
 */
static void conv_direct(const float* x, const float* w, const float* bias, float* y,
                        const Conv2DGeom& a, int act, int64_t p0, int64_t p1) {
  const int64_t C = a.outC;
  constexpr int64_t B = kConvVecs * W;
  const int64_t K = a.filterH * a.filterW * a.inC;
  int64_t off[32];  // conv_is_direct: K <= 32
  const bool tiled = K >= 1 && K <= 32;
  alignas(64) static const float kZeros[kConvVecs * kMaxW] = {};
  if (tiled) {
    int64_t t = 0;
    for (int64_t i = 0; i < a.filterH; i++)
      for (int64_t j = 0; j < a.filterW; j++)
        for (int64_t ci = 0; ci < a.inC; ci++)
          off[t++] = (i * a.dilationH * a.inW + j * a.dilationW) * a.inC + ci;
  }
  const bool relu = static_cast<Activation>(act) == Activation::relu;
  const bool post = !relu && static_cast<Activation>(act) != Activation::linear;
  const int inner = relu ? act : static_cast<int>(Activation::linear);
  // Output columns whose whole window lies inside the image: [owLo, owHi).
  const int64_t spanW = (a.filterW - 1) * a.dilationW, spanH = (a.filterH - 1) * a.dilationH;
  const int64_t owLo = (a.padLeft + a.strideW - 1) / a.strideW;
  int64_t owHi = a.inW - 1 - spanW + a.padLeft >= 0 ? (a.inW - 1 - spanW + a.padLeft) / a.strideW + 1 : 0;
  if (owHi > a.outW) owHi = a.outW;
  const int64_t xstep = a.strideW * a.inC;
  for (int64_t p = p0; p < p1;) {
    const int64_t ow0 = p % a.outW, t = p / a.outW, oh = t % a.outH, b = t / a.outH;
    const int64_t rowEnd = p - ow0 + a.outW < p1 ? p - ow0 + a.outW : p1;
    const int64_t ow1 = ow0 + (rowEnd - p);
    const int64_t h0 = oh * a.strideH - a.padTop;
    // This segment's columns [ow0, ow1): [lo, hi) tiled, the rest pixel by pixel.
    int64_t lo = ow1, hi = ow1;
    if (tiled && h0 >= 0 && h0 + spanH < a.inH && owLo < owHi) {
      lo = owLo > ow0 ? (owLo < ow1 ? owLo : ow1) : ow0;
      hi = owHi < ow1 ? (owHi > lo ? owHi : lo) : ow1;
    }
    auto border = [&](int64_t ow) {
      for (int64_t c0 = 0; c0 < C; c0 += kBlockVecs * W) {
        const int64_t cn = C - c0 < kBlockVecs * W ? C - c0 : kBlockVecs * W;
        conv_pixel(x, w, bias, y + (p + ow - ow0) * C, a, inner, b, h0, ow * a.strideW - a.padLeft,
                   c0, cn);
      }
    };
    for (int64_t ow = ow0; ow < lo; ow++) border(ow);
    for (int64_t ow = hi; ow < ow1; ow++) border(ow);
    if (lo < hi) {
      const float* xb = x + ((b * a.inH + h0) * a.inW + lo * a.strideW - a.padLeft) * a.inC;
      float* out = y + (p + lo - ow0) * C;
      for (int64_t c0 = 0; c0 < C; c0 += B) {
        const int64_t cn = C - c0 < B ? C - c0 : B;
        const float* bc = bias ? bias + c0 : kZeros;
        if (cn == B) conv_tiles<true>(xb, xstep, off, K, w + c0, C, bc, out + c0, relu, cn, hi - lo);
        else conv_tiles<false>(xb, xstep, off, K, w + c0, C, bc, out + c0, relu, cn, hi - lo);
      }
    }
    if (post) bias_act(y + p * C, nullptr, rowEnd - p, C, act);
    p = rowEnd;
  }
}

/** Taps and channel vectors of one filter-gradient tile, and pixels swept per block. */
constexpr int kGradTaps = 3;
constexpr int kGradVecs = 4;
constexpr int64_t kGradPixels = 128;

/**
 * The output pixels of one block of the filter gradient: each one's window corner in x (an
 * index, -1 when the window reaches into the padding) and, for those, (b, h0, w0); the taps'
 * offsets from a corner and their (row, column, channel) for the padding test.
 */
struct GradBlock {
  int64_t n;
  int64_t corner[kGradPixels], b[kGradPixels], h0[kGradPixels], w0[kGradPixels];
  int64_t off[32], ti[32], tj[32], tc[32];
};

/** The input under tap t of border pixel q of the block (0 in the padding). */
static float grad_tap_value(const float* x, const Conv2DGeom& a, const GradBlock& g, int64_t q,
                            int64_t t) {
  const int64_t ih = g.h0[q] + g.ti[t], iw = g.w0[q] + g.tj[t];
  if (ih < 0 || ih >= a.inH || iw < 0 || iw >= a.inW) return 0.0f;
  return x[((g.b[q] * a.inH + ih) * a.inW + iw) * a.inC + g.tc[t]];
}

/**
 * dw[t0 + k, c0 + c] += Σ_q x(q, t0 + k) dy[q, c0 + c] over the block's pixels: TG taps times
 * kGradVecs vectors of channels in registers (masked when not Full, a channel remainder).
 * dy and dw point at channel c0 of the block's first pixel and of tap t0.
 */
template <int TG, bool Full>
static void grad_tile(const float* x, const Conv2DGeom& a, const GradBlock& g, int64_t t0,
                      const float* dy, int64_t C, float* dw, int64_t cn) {
  constexpr int NV = kGradVecs;
  int lanes[NV];
  for (int v = 0; v < NV; v++) lanes[v] = Full ? W : lanes_of(cn, v);
  auto ld = [&](const float* p, int v) { return Full ? load(p) : load_partial_or_full(p, lanes[v]); };
  F acc[TG][NV];
  for (int k = 0; k < TG; k++)
    for (int v = 0; v < NV; v++) acc[k][v] = zero();
  int64_t off[TG];  // held in registers across the sweep
  for (int k = 0; k < TG; k++) off[k] = g.off[t0 + k];
  for (int64_t q = 0; q < g.n; q++, dy += C) {
    F xv[TG];
    const int64_t c = g.corner[q];
    if (c >= 0) {
      const float* xc = x + c;
      for (int k = 0; k < TG; k++) xv[k] = set1(xc[off[k]]);
    } else {
      for (int k = 0; k < TG; k++) xv[k] = set1(grad_tap_value(x, a, g, q, t0 + k));
    }
    for (int v = 0; v < NV; v++) {
      const F gv = ld(dy + v * W, v);
      for (int k = 0; k < TG; k++) acc[k][v] = fma(xv[k], gv, acc[k][v]);
    }
  }
  for (int k = 0; k < TG; k++) {
    for (int v = 0; v < NV; v++) {
      float* d = dw + k * C + v * W;
      if (Full || lanes[v] == W) store(d, load(d) + acc[k][v]);
      else if (lanes[v] > 0) store_partial(d, load_partial(d, lanes[v]) + acc[k][v], lanes[v]);
    }
  }
}

/** grad_tile for the taps [t0, t0 + tg), tg <= kGradTaps. */
template <bool Full>
static void grad_tiles(const float* x, const Conv2DGeom& a, const GradBlock& g, int64_t t0,
                       int64_t tg, const float* dy, int64_t C, float* dw, int64_t cn) {
  static_assert(kGradTaps == 3, "the cases below cover 1 .. kGradTaps taps");
  switch (tg) {
    case 1: return grad_tile<1, Full>(x, a, g, t0, dy, C, dw, cn);
    case 2: return grad_tile<2, Full>(x, a, g, t0, dy, C, dw, cn);
    default: return grad_tile<3, Full>(x, a, g, t0, dy, C, dw, cn);
  }
}

/**
 * dw[tap, co] += Σ_p x(p, tap) dy[p, co] over output pixels [p0, p1): per block of pixels (its dy
 * kept in cache) register tiles of taps x channels sweep it, reading x at each pixel's window.
 */
static void filter_grad_direct(const float* x, const float* dy, float* dw, const Conv2DGeom& a,
                               int64_t p0, int64_t p1) {
  const int64_t C = a.outC;
  constexpr int64_t B = kGradVecs * W;
  const int64_t K = a.filterH * a.filterW * a.inC;
  GradBlock g;
  // Taps beyond 32 (not a direct geometry) would take the padding test for every pixel.
  const bool tiled = K <= 32;
  for (int64_t i = 0, t = 0; i < a.filterH && tiled; i++)
    for (int64_t j = 0; j < a.filterW; j++)
      for (int64_t ci = 0; ci < a.inC; ci++, t++) {
        g.off[t] = (i * a.dilationH * a.inW + j * a.dilationW) * a.inC + ci;
        g.ti[t] = i * a.dilationH, g.tj[t] = j * a.dilationW, g.tc[t] = ci;
      }
  if (!tiled) return;  // conv_is_direct guarantees K <= 32
  const int64_t spanW = (a.filterW - 1) * a.dilationW, spanH = (a.filterH - 1) * a.dilationH;
  for (int64_t q0 = p0; q0 < p1; q0 += kGradPixels) {
    g.n = q0 + kGradPixels < p1 ? kGradPixels : p1 - q0;
    // (b, oh, ow) of pixel q0, then stepped pixel by pixel (no division per pixel).
    int64_t ow = q0 % a.outW, oh = q0 / a.outW % a.outH, b = q0 / a.outW / a.outH;
    for (int64_t q = 0; q < g.n; q++) {
      if (q > 0 && ++ow == a.outW) {
        ow = 0;
        if (++oh == a.outH) oh = 0, b++;
      }
      const int64_t h0 = oh * a.strideH - a.padTop, w0 = ow * a.strideW - a.padLeft;
      const bool inside = h0 >= 0 && h0 + spanH < a.inH && w0 >= 0 && w0 + spanW < a.inW;
      g.corner[q] = inside ? ((b * a.inH + h0) * a.inW + w0) * a.inC : -1;
      g.b[q] = b, g.h0[q] = h0, g.w0[q] = w0;
    }
    for (int64_t c0 = 0; c0 < C; c0 += B) {
      const int64_t cn = C - c0 < B ? C - c0 : B;
      for (int64_t t0 = 0; t0 < K; t0 += kGradTaps) {
        const int64_t tg = K - t0 < kGradTaps ? K - t0 : kGradTaps;
        const float* g0 = dy + q0 * C + c0;
        float* d = dw + t0 * C + c0;
        if (cn == B) grad_tiles<true>(x, a, g, t0, tg, g0, C, d, cn);
        else grad_tiles<false>(x, a, g, t0, tg, g0, C, d, cn);
      }
    }
  }
}

/** max(a, b) where a NaN on either side wins (max(a, b) alone passes only b's on). */
static inline F max_nan(F a, F b) { return select(is_nan(a), a, max(a, b)); }

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
      int64_t c = 0;
      if (ih1 - ih0 == 2 && iw1 - iw0 == 2) {
        // A whole 2x2 window (the common pooling): four rows of channels, reduced as a tree.
        const float* s = x + ((b * a.inH + ih0) * a.inW + iw0) * C;
        const float *s1 = s + C, *s2 = s + a.inW * C, *s3 = s2 + C;
        for (; c + W <= C; c += W)
          store(o + c, max_nan(max_nan(load(s + c), load(s1 + c)), max_nan(load(s2 + c), load(s3 + c))));
      }
      for (; c < C; c += W) {
        const int n = C - c < W ? static_cast<int>(C - c) : W;
        F m = set1(-INFINITY);
        for (int64_t ih = ih0; ih < ih1; ih++) {
          const float* q = x + ((b * a.inH + ih) * a.inW + iw0) * C + c;
          for (int64_t iw = iw0; iw < iw1; iw++, q += C) m = max_nan(m, load_partial_or_full(q, n));
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
        int64_t c = 0;
        if (ih1 - ih0 == 2 && iw1 - iw0 == 2) {
          // A whole 2x2 window: its four cells as fixed pointers, the same first-match rule.
          const int64_t s0 = ((b * a.inH + ih0) * a.inW + iw0) * C;
          const int64_t cell[4] = {s0, s0 + C, s0 + a.inW * C, s0 + a.inW * C + C};
          for (; c + W <= C; c += W) {
            const F m = load(y + o + c);
            const F nan_hit = select(is_nan(m), set1(1.0f), zero());
            F left = load(dy + o + c);  // what is left to hand out
            for (int k = 0; k < 4; k++) {
              const F v = load(x + cell[k] + c);
              const M hit = gt(select(eq(v, m), set1(1.0f), select(is_nan(v), nan_hit, zero())), zero());
              float* d = dx + cell[k] + c;
              store(d, load(d) + select(hit, left, zero()));
              left = select(hit, zero(), left);
            }
          }
        }
        for (; c < C; c += W) {
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
 * y[m0 + r, :] = x[m0 + r, :] @ w for R rows, W <= N <= NV * W: each row of w is NV full loads
 * (the last one at column N - W, overlapping the one before it, so no masked load), U
 * accumulator sets over alternate k keep R * NV * U >= 8 FMA chains in flight.
 */
template <int R, int NV, int U>
static void dense_tile(const float* x, const float* w, float* y, int64_t K, int64_t N) {
  int64_t col[NV];  // each vector's first column
  const float* wv[NV];
  for (int v = 0; v < NV; v++) col[v] = v == NV - 1 ? N - W : v * W, wv[v] = w + col[v];
  F acc[U][R][NV];
  for (int u = 0; u < U; u++)
    for (int r = 0; r < R; r++)
      for (int v = 0; v < NV; v++) acc[u][r][v] = zero();
  int64_t k = 0;
  for (; k + U <= K; k += U) {
    for (int u = 0; u < U; u++) {
      for (int v = 0; v < NV; v++) {
        const F wk = load(wv[v]);
        for (int r = 0; r < R; r++) acc[u][r][v] = fma(set1(x[r * K + k + u]), wk, acc[u][r][v]);
        wv[v] += N;
      }
    }
  }
  for (; k < K; k++) {
    for (int v = 0; v < NV; v++) {
      const F wk = load(wv[v]);
      for (int r = 0; r < R; r++) acc[0][r][v] = fma(set1(x[r * K + k]), wk, acc[0][r][v]);
      wv[v] += N;
    }
  }
  for (int r = 0; r < R; r++) {
    // The last vector first: the full ones then overwrite the columns it shares with them.
    for (int v = NV - 1; v >= 0; v--) {
      F s = acc[0][r][v];
      for (int u = 1; u < U; u++) s = s + acc[u][r][v];
      store(y + r * N + col[v], s);
    }
  }
}

/** dense_tile over rows [m0, m1): 4 rows at a time (w streamed once per 4), then single rows. */
template <int NV, int R, int U1>
static void dense_tiles(const float* x, const float* w, float* y, int64_t K, int64_t N,
                        int64_t m0, int64_t m1) {
  constexpr int UR = (8 + R * NV - 1) / (R * NV);
  int64_t m = m0;
  for (; m + R <= m1; m += R) dense_tile<R, NV, UR>(x + m * K, w, y + m * N, K, N);
  for (; m < m1; m++) dense_tile<1, NV, U1>(x + m * K, w, y + m * N, K, N);
}

/** y[m, :] = x[m, :] @ w, rows [m0, m1), any N, blocks of kBlockVecs vectors (masked tail). */
static void dense_rows_blocked(const float* x, const float* w, float* y, int64_t K, int64_t N,
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

/**
 * y[m, :] = x[m, :] @ w rows [m0, m1) for a narrow w [K, N] (a classifier head): w is streamed
 * with the outputs of a few rows in registers, where a GEMM would spend its time packing w.
 */
static void dense_rows(const float* x, const float* w, float* y, int64_t K, int64_t N,
                       int64_t m0, int64_t m1) {
  if (W > 1 && N >= W) {
    switch ((N + W - 1) / W) {
      case 1: return dense_tiles<1, 4, 8>(x, w, y, K, N, m0, m1);
      case 2: return dense_tiles<2, 4, 4>(x, w, y, K, N, m0, m1);
      case 3: return dense_tiles<3, 4, 3>(x, w, y, K, N, m0, m1);
      case 4: return dense_tiles<4, 3, 2>(x, w, y, K, N, m0, m1);
      default: break;
    }
  }
  dense_rows_blocked(x, w, y, K, N, m0, m1);
}

}  // namespace conv
}  // namespace KEEL_ISA
}  // namespace keel
