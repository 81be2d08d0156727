// The ISA-neutral part of the integer GEMM: the weights packed once (by the caller, for every
// call of a layer, or here), x packed one mr-row panel at a time (rows of x, or the im2col rows
// of a convolution's output pixels, so no im2col matrix is ever stored), the micro-kernel over a
// grid of mr x nr tiles (threads take contiguous runs of tiles, columns fastest, so a thread
// reuses its x panel), and the zero-point correction, bias and requantization applied to each
// tile as it leaves the micro-kernel.
#include "qgemm.h"

// The float32 epilogues must round after the multiply and again after the add, as the
// reference does: no fused multiply-add (GCC contracts across statements by default where the
// target has FMA, e.g. arm64; this file is built without -mfma on x64).
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "../dispatch.h"
#include "../threadpool.h"

namespace keel {
namespace {

// Below this many multiply-adds per thread, more threads cost more than they save.
constexpr int64_t kWorkPerThread = 64 * 64 * 64;
constexpr int32_t kMagic = 0x3157514b;  // "KQW1"
constexpr int64_t kHeader = 8;          // int32 header fields

/** y[i, j] from the raw sum of x_u8 * w over k (wrapping), as the reference defines it. */
struct Epilogue {
  const QGemmArgs& a;
  const int32_t* corr;  // bias[j] - zero * colsum[j], wrapping
  const float* scale;   // [N]
  float lo, hi;         // the clamp bounds before adding y_zero

  void row(const int32_t* raw, int64_t i, int64_t j0, int cols) const {
    if (a.y8) {
      isa().quant.requant(raw, cols, corr + j0, scale + j0, lo, hi, a.y_zero, a.y_signed,
                          a.y8 + i * a.N + j0);
      return;
    }
    for (int c = 0; c < cols; c++) {
      const int64_t j = j0 + c;
      const int32_t v =
          static_cast<int32_t>(static_cast<uint32_t>(raw[c]) + static_cast<uint32_t>(corr[j]));
      if (a.raw) {
        a.y32[i * a.N + j] = v;
        continue;
      }
      const float p = static_cast<float>(v) * scale[j];
      const float r = a.fbias ? p + a.fbias[j] : p;
      a.yf[i * a.N + j] = a.relu ? (r > 0.0f ? r : 0.0f) : r;
    }
  }
};

/** Rows [i0, i0 + rows) of the im2col matrix of a.conv into dst [rows, K]; padding reads pad. */
void im2col_rows(const QGemmArgs& a, int64_t i0, int rows, uint8_t pad, uint8_t* dst) {
  const Conv2DGeom& g = *a.conv;
  const int64_t C = g.inC;
  for (int r = 0; r < rows; r++) {
    const int64_t p = i0 + r;
    const int64_t ow = p % g.outW, t = p / g.outW, oh = t % g.outH, b = t / g.outH;
    const int64_t h0 = oh * g.strideH - g.padTop, w0 = ow * g.strideW - g.padLeft;
    uint8_t* d = dst + r * a.K;
    for (int64_t i = 0; i < g.filterH; i++) {
      const int64_t ih = h0 + i * g.dilationH;
      const bool inside = ih >= 0 && ih < g.inH;
      const uint8_t* src = inside ? a.x + (b * g.inH + ih) * g.inW * C : a.x;
      if (inside && g.dilationW == 1 && w0 >= 0 && w0 + g.filterW <= g.inW) {
        std::memcpy(d, src + w0 * C, static_cast<size_t>(g.filterW * C));  // a whole filter row
        d += g.filterW * C;
        continue;
      }
      for (int64_t j = 0; j < g.filterW; j++, d += C) {
        const int64_t iw = w0 + j * g.dilationW;
        if (inside && iw >= 0 && iw < g.inW) std::memcpy(d, src + iw * C, static_cast<size_t>(C));
        else std::memset(d, pad, static_cast<size_t>(C));
      }
    }
  }
}

/** Packs w's nr-column panels and column sums (wrapping) into p's layout after the header. */
void pack_into(const int8_t* w, int64_t K, int64_t N, int32_t* colsum, uint8_t* panels) {
  const QuantIsa& q = isa().quant;
  const int64_t kp = (K + q.kg - 1) / q.kg * q.kg;
  const int64_t cpanels = (N + q.nr - 1) / q.nr, wpanel = kp * q.nr * q.elem;
  const int64_t pack_grain = std::max<int64_t>(1, kWorkPerThread / (64 * (kp + 1)));
  parallel_for(cpanels, pack_grain, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const int64_t j0 = p * q.nr;
      const int cols = static_cast<int>(std::min<int64_t>(q.nr, N - j0));
      q.pack_w(w + j0, N, cols, K, panels + p * wpanel);
    }
  });
  // Column sums row by row (contiguous, vectorisable), wrapping like the accumulators.
  std::vector<uint32_t> sums(static_cast<size_t>(N), 0u);
  for (int64_t k = 0; k < K; k++)
    for (int64_t j = 0; j < N; j++) sums[j] += static_cast<uint32_t>(int32_t{w[k * N + j]});
  for (int64_t j = 0; j < N; j++) colsum[j] = static_cast<int32_t>(sums[j]);
}

int64_t colsum_ints(int64_t N) { return (N + 15) / 16 * 16; }  // keeps the panels 64-byte aligned

}  // namespace

int64_t qpacked_bytes(int64_t K, int64_t N) {
  const QuantIsa& q = isa().quant;
  const int64_t kp = (K + q.kg - 1) / q.kg * q.kg;
  const int64_t cpanels = (N + q.nr - 1) / q.nr;
  return (kHeader + colsum_ints(N)) * 4 + cpanels * kp * q.nr * q.elem;
}

void qpack_weights(const int8_t* w, int64_t K, int64_t N, uint8_t* dst) {
  const QuantIsa& q = isa().quant;
  const int32_t header[kHeader] = {kMagic, q.mr, q.nr, q.kg, q.elem, static_cast<int32_t>(K),
                                   static_cast<int32_t>(N), 0};
  std::memcpy(dst, header, sizeof header);
  int32_t* colsum = reinterpret_cast<int32_t*>(dst + kHeader * 4);
  pack_into(w, K, N, colsum, dst + (kHeader + colsum_ints(N)) * 4);
}

bool qpacked_fits(const uint8_t* p, int64_t bytes, int64_t K, int64_t N) {
  if (!p || bytes != qpacked_bytes(K, N) || K > INT32_MAX || N > INT32_MAX) return false;
  const QuantIsa& q = isa().quant;
  int32_t h[kHeader];
  std::memcpy(h, p, sizeof h);
  return h[0] == kMagic && h[1] == q.mr && h[2] == q.nr && h[3] == q.kg && h[4] == q.elem &&
         h[5] == K && h[6] == N;
}

void qgemm(const QGemmArgs& a) {
  const int64_t M = a.M, N = a.N, K = a.K;
  if (M == 0 || N == 0) return;
  const QuantIsa& q = isa().quant;
  const int64_t kp = (K + q.kg - 1) / q.kg * q.kg;
  const int64_t rpanels = (M + q.mr - 1) / q.mr, cpanels = (N + q.nr - 1) / q.nr;
  const int64_t xpanel = kp * q.mr * q.elem, wpanel = kp * q.nr * q.elem;
  // The weights: packed by the caller once, or here for this call.
  std::vector<uint8_t> own;
  const uint8_t* packed = a.wpacked;
  if (!packed) {
    own.resize(static_cast<size_t>(qpacked_bytes(K, N)));
    qpack_weights(a.w, K, N, own.data());
    packed = own.data();
  }
  const int32_t* colsum = reinterpret_cast<const int32_t*>(packed + kHeader * 4);
  const uint8_t* wp = packed + (kHeader + colsum_ints(N)) * 4;
  const uint8_t flip = a.x_signed ? 0x80 : 0;

  // Flipped int8 activations are x + 128, so their zero point moves by 128 too.
  const uint32_t zero = static_cast<uint32_t>(a.x_zero + (a.x_signed ? 128 : 0));
  std::vector<int32_t> corr(static_cast<size_t>(N));
  std::vector<float> scale(static_cast<size_t>(N), 0.0f);
  for (int64_t j = 0; j < N; j++) {
    uint32_t c = 0u - zero * static_cast<uint32_t>(colsum[j]);
    if (a.bias) c += static_cast<uint32_t>(a.bias[j]);
    corr[j] = static_cast<int32_t>(c);
    if (a.scale) scale[j] = a.scale[j * a.scale_step];
  }
  int32_t ylo = a.y_signed ? -128 : 0, yhi = a.y_signed ? 127 : 255;
  if (a.relu) ylo = std::max(ylo, a.y_zero);
  const Epilogue epi{a, corr.data(), scale.data(), static_cast<float>(ylo - a.y_zero),
                     static_cast<float>(yhi - a.y_zero)};
  // The padding of a convolution reads the zero point, in the caller's own bytes.
  const uint8_t pad = static_cast<uint8_t>(a.x_zero);

  // Threads take runs of tiles, columns fastest; each packs an x panel (from x's rows or the
  // im2col rows of its output pixels) when its run reaches a new row panel.
  const int64_t tiles = rpanels * cpanels;
  const int64_t grain = std::max<int64_t>(1, kWorkPerThread / (int64_t{q.mr} * q.nr * (kp + 1)));
  parallel_for(tiles, grain, [&](int64_t t0, int64_t t1) {
    std::vector<int32_t> tile(static_cast<size_t>(q.mr * q.nr));
    std::vector<uint8_t> xp(static_cast<size_t>(xpanel) + 64);
    std::vector<uint8_t> rows_buf(a.conv ? static_cast<size_t>(q.mr * K) : 0);
    int64_t packed_rp = -1;
    for (int64_t t = t0; t < t1; t++) {
      const int64_t rp = t / cpanels, cp = t % cpanels;
      const int64_t i0 = rp * q.mr, j0 = cp * q.nr;
      const int rows = static_cast<int>(std::min<int64_t>(q.mr, M - i0));
      if (rp != packed_rp) {
        const uint8_t* src = a.x + i0 * K;
        if (a.conv) {
          im2col_rows(a, i0, rows, pad, rows_buf.data());
          src = rows_buf.data();
        }
        q.pack_x(src, K, flip, rows, K, xp.data());
        packed_rp = rp;
      }
      q.micro(kp, xp.data(), wp + cp * wpanel, tile.data());
      const int cols = static_cast<int>(std::min<int64_t>(q.nr, N - j0));
      for (int r = 0; r < rows; r++) epi.row(tile.data() + r * q.nr, i0 + r, j0, cols);
    }
  });
}

void quantize_uint8(const float* x, int64_t n, uint8_t* q, float* params) {
  // The range, per chunk then combined (min and max do not depend on the order).
  constexpr int64_t kGrain = 1 << 15;
  const int64_t chunks = (n + kGrain - 1) / kGrain;
  std::vector<float> lo(static_cast<size_t>(chunks), 0.0f), hi(static_cast<size_t>(chunks), 0.0f);
  std::vector<uint8_t> bad(static_cast<size_t>(chunks), 0);
  parallel_for(chunks, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      const int64_t e = std::min(n, (c + 1) * kGrain);
      float l = 0.0f, h = 0.0f, nan = 0.0f;
      for (int64_t i = c * kGrain; i < e; i++) {
        const float v = x[i];
        nan += v - v;  // NaN once any value is NaN or infinite
        l = v < l ? v : l;
        h = v > h ? v : h;
      }
      lo[c] = l, hi[c] = h, bad[c] = nan != 0.0f;  // true for NaN
    }
  });
  float l = 0.0f, h = 0.0f;
  for (int64_t c = 0; c < chunks; c++) {
    if (bad[c]) {
      params[0] = params[1] = std::nanf("");
      return;
    }
    l = std::min(l, lo[c]);
    h = std::max(h, hi[c]);
  }
  // In double, as the reference (uint8Params).
  const double dl = l, dh = h;
  const float scale = static_cast<float>(dh > dl ? (dh - dl) / 255.0 : 1.0);
  const double zd = std::min(255.0, std::max(0.0, std::nearbyint(-dl / static_cast<double>(scale))));
  const int32_t zp = static_cast<int32_t>(zd);
  const float qlo = static_cast<float>(-zp), qhi = static_cast<float>(255 - zp);
  parallel_for(chunks, 1, [&](int64_t c0, int64_t c1) {
    const int64_t e = std::min(n, c1 * kGrain);
    for (int64_t i = c0 * kGrain; i < e; i++) {
      const float v = x[i] / scale;
      const float c = v < qlo ? qlo : (v > qhi ? qhi : v);
      q[i] = static_cast<uint8_t>(static_cast<int32_t>(std::nearbyint(c)) + zp);
    }
  });
  params[0] = scale;
  params[1] = static_cast<float>(zp);
}

}  // namespace keel

namespace keel {

void quantize_linear(const float* x, int64_t n, float scale, int32_t zero, uint8_t* q) {
  const float qlo = static_cast<float>(-zero), qhi = static_cast<float>(255 - zero);
  constexpr int64_t kGrain = 1 << 15;
  parallel_for((n + kGrain - 1) / kGrain, 1, [&](int64_t c0, int64_t c1) {
    const int64_t e = std::min(n, c1 * kGrain);
    for (int64_t i = c0 * kGrain; i < e; i++) {
      const float v = x[i] / scale;
      const float c = !(v >= qlo) ? qlo : (v > qhi ? qhi : v);  // NaN to the lower bound
      q[i] = static_cast<uint8_t>(static_cast<int32_t>(std::nearbyint(c)) + zero);
    }
  });
}

void max_pool2d_u8(const uint8_t* x, uint8_t* y, const Pool2DGeom& a) {
  const int64_t C = a.channels, rows = a.batch * a.outH;
  parallel_for(rows, std::max<int64_t>(1, (1 << 16) / std::max<int64_t>(1, a.outW * C)),
               [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; r++) {
      const int64_t b = r / a.outH, oh = r % a.outH;
      const int64_t h0 = std::max<int64_t>(0, oh * a.strideH - a.padTop);
      const int64_t h1 = std::min(a.inH, oh * a.strideH - a.padTop + a.poolH);
      for (int64_t ow = 0; ow < a.outW; ow++) {
        const int64_t w0 = std::max<int64_t>(0, ow * a.strideW - a.padLeft);
        const int64_t w1 = std::min(a.inW, ow * a.strideW - a.padLeft + a.poolW);
        uint8_t* out = y + (r * a.outW + ow) * C;
        std::memset(out, 0, static_cast<size_t>(C));
        for (int64_t ih = h0; ih < h1; ih++)
          for (int64_t iw = w0; iw < w1; iw++) {
            const uint8_t* in = x + ((b * a.inH + ih) * a.inW + iw) * C;
            for (int64_t c = 0; c < C; c++) out[c] = in[c] > out[c] ? in[c] : out[c];
          }
      }
    }
  });
}

}  // namespace keel
