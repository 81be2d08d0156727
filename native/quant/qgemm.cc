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
constexpr int32_t kMagic = 0x3257514b;  // "KQW2"
constexpr int64_t kHeader = 8;          // int32 header fields

/** The k axis in segments: S segments of L k each, G groups of kg per segment. */
struct Segments {
  int64_t S, L, G;
  int64_t groups() const { return S * G; }
};

Segments segments_of(int64_t K, int64_t L) {
  const QuantIsa& q = isa().quant;
  if (K == 0 || L <= 0) return {0, 0, 0};
  return {K / L, L, (L + q.kg - 1) / q.kg};
}

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

/**
 * The rows of one mr-row panel as segment pointers (QTileSource's layout): the rows of x, or the
 * windows of a convolution's output pixels in the image. A row the micro-kernel cannot read in
 * place (a window reaching into the padding, or a read that would run past the end of x) is
 * gathered into its own `seg_bytes`-per-segment copy, the padding reading the zero point.
 */
struct PanelRows {
  const QGemmArgs& a;
  Segments sg;
  int mr;
  int64_t seg_bytes;  // what a direct read of one segment covers: G·kg bytes
  int64_t x_bytes;    // the bytes of x
  bool direct;        // the micro-kernel reads these pointers in place
  uint8_t pad;
  std::vector<int64_t> seg_off;  // a convolution's segments, from the window's first tap

  PanelRows(const QGemmArgs& a, Segments sg, int mr, int kg, bool direct)
      : a(a), sg(sg), mr(mr), seg_bytes(sg.G * kg), direct(direct),
        pad(static_cast<uint8_t>(a.x_zero)), seg_off(static_cast<size_t>(sg.S)) {
    x_bytes = a.M * a.K;
    if (!a.conv) return;
    const Conv2DGeom& g = *a.conv;
    x_bytes = g.batch * g.inH * g.inW * g.inC;
    for (int64_t s = 0; s < sg.S; s++) {
      const int64_t i = g.dilationW == 1 ? s : s / g.filterW;
      const int64_t j = g.dilationW == 1 ? 0 : s % g.filterW;
      seg_off[s] = (i * g.dilationH * g.inW + j * g.dilationW) * g.inC;
    }
  }

  /** Fills ptrs[s * mr + r] for rows [i0, i0 + rows); rows past `rows` read `zeros`. */
  void fill(int64_t i0, int rows, const uint8_t** ptrs, uint8_t* buf, const uint8_t* zeros) const {
    const int64_t S = sg.S;
    for (int r = rows; r < mr; r++)
      for (int64_t s = 0; s < S; s++) ptrs[s * mr + r] = zeros;
    if (a.conv) {
      if (S > 0) fill_conv(i0, rows, ptrs, buf);
      return;
    }
    for (int r = 0; r < rows; r++) {
      const int64_t i = i0 + r;
      ptrs[r] = a.x + i * a.K;
      if (direct && S > 0 && i * a.K + seg_bytes > x_bytes) {  // the last rows: copy, zero the tail
        uint8_t* own = buf + r * seg_bytes;
        std::memcpy(own, ptrs[r], static_cast<size_t>(a.K));
        std::memset(own + a.K, 0, static_cast<size_t>(seg_bytes - a.K));
        ptrs[r] = own;
      }
    }
  }

  /**
   * The windows of output pixels [i0, i0 + rows), in runs along output rows: where a whole run
   * of windows lies inside the image (the common case), the pointers step by strideW·inC;
   * otherwise pixel by pixel, gathering those that reach into the padding.
   */
  void fill_conv(int64_t i0, int rows, const uint8_t** ptrs, uint8_t* buf) const {
    const Conv2DGeom& g = *a.conv;
    const int64_t S = sg.S, step = g.strideW * g.inC;
    const int64_t t = i0 / g.outW;
    int64_t ow = i0 % g.outW, oh = t % g.outH, b = t / g.outH;
    for (int r = 0; r < rows;) {
      const int run = static_cast<int>(std::min<int64_t>(rows - r, g.outW - ow));
      const int64_t h0 = oh * g.strideH - g.padTop;
      const bool rows_inside = h0 >= 0 && h0 + (g.filterH - 1) * g.dilationH < g.inH;
      for (int k = 0; k < run;) {
        const int64_t w0 = (ow + k) * g.strideW - g.padLeft;
        const int64_t base = ((b * g.inH + h0) * g.inW + w0) * g.inC;
        const int64_t w_last = w0 + (run - 1 - k) * g.strideW + (g.filterW - 1) * g.dilationW;
        const bool run_inside = rows_inside && w0 >= 0 && w_last < g.inW &&
                                (!direct || base + (run - 1 - k) * step + seg_off[S - 1] +
                                                    seg_bytes <= x_bytes);
        if (run_inside) {  // the rest of the run
          for (int64_t s = 0; s < S; s++) {
            const uint8_t* p = a.x + base + seg_off[s];
            for (int q = k; q < run; q++) ptrs[s * mr + r + q] = p + (q - k) * step;
          }
          break;
        }
        const bool inside = rows_inside && w0 >= 0 &&
                            w0 + (g.filterW - 1) * g.dilationW < g.inW &&
                            (!direct || base + seg_off[S - 1] + seg_bytes <= x_bytes);
        if (inside) {
          for (int64_t s = 0; s < S; s++) ptrs[s * mr + r + k] = a.x + base + seg_off[s];
        } else {
          uint8_t* own = buf + (r + k) * S * seg_bytes;
          gather(g, b, h0, w0, own);
          for (int64_t s = 0; s < S; s++) ptrs[s * mr + r + k] = own + s * seg_bytes;
        }
        k++;
      }
      r += run;
      ow = 0;
      if (++oh == g.outH) oh = 0, b++;
    }
  }

  /** The window of one output pixel, segment by segment (seg_bytes each, zero tails). */
  void gather(const Conv2DGeom& g, int64_t b, int64_t h0, int64_t w0, uint8_t* dst) const {
    const int64_t C = g.inC;
    const int64_t taps = g.dilationW == 1 ? g.filterW : 1;  // taps per segment
    for (int64_t s = 0; s < sg.S; s++) {
      const int64_t i = g.dilationW == 1 ? s : s / g.filterW;
      const int64_t j0 = g.dilationW == 1 ? 0 : s % g.filterW;
      const int64_t ih = h0 + i * g.dilationH;
      uint8_t* d = dst + s * seg_bytes;
      for (int64_t j = 0; j < taps; j++, d += C) {
        const int64_t iw = w0 + (j0 + j) * g.dilationW;
        if (ih >= 0 && ih < g.inH && iw >= 0 && iw < g.inW)
          std::memcpy(d, a.x + ((b * g.inH + ih) * g.inW + iw) * C, static_cast<size_t>(C));
        else std::memset(d, pad, static_cast<size_t>(C));
      }
      std::memset(d, 0, static_cast<size_t>(seg_bytes - sg.L));
    }
  }
};

/** Packs w's nr-column panels and column sums (wrapping) into p's layout after the header. */
void pack_into(const int8_t* w, int64_t K, int64_t N, Segments sg, int32_t* colsum,
               uint8_t* panels) {
  const QuantIsa& q = isa().quant;
  const int64_t cpanels = (N + q.nr - 1) / q.nr, wpanel = sg.groups() * q.kg * q.nr * q.elem;
  const int64_t pack_grain = std::max<int64_t>(1, kWorkPerThread / (64 * (sg.groups() * q.kg + 1)));
  parallel_for(cpanels, pack_grain, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const int64_t j0 = p * q.nr;
      const int cols = static_cast<int>(std::min<int64_t>(q.nr, N - j0));
      q.pack_w(w + j0, N, cols, static_cast<int>(sg.S), sg.L, panels + p * wpanel);
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

int64_t qsegment(const Conv2DGeom* conv, int64_t K) {
  if (!conv) return K;
  return conv->dilationW == 1 ? conv->filterW * conv->inC : conv->inC;
}

int64_t qpacked_bytes(int64_t K, int64_t N, int64_t L) {
  const QuantIsa& q = isa().quant;
  const Segments sg = segments_of(K, L);
  const int64_t cpanels = (N + q.nr - 1) / q.nr;
  return (kHeader + colsum_ints(N)) * 4 + cpanels * sg.groups() * q.kg * q.nr * q.elem;
}

void qpack_weights(const int8_t* w, int64_t K, int64_t N, int64_t L, uint8_t* dst) {
  const QuantIsa& q = isa().quant;
  const int32_t header[kHeader] = {kMagic, q.mr, q.nr, q.kg, q.elem, static_cast<int32_t>(K),
                                   static_cast<int32_t>(N), static_cast<int32_t>(L)};
  std::memcpy(dst, header, sizeof header);
  int32_t* colsum = reinterpret_cast<int32_t*>(dst + kHeader * 4);
  pack_into(w, K, N, segments_of(K, L), colsum, dst + (kHeader + colsum_ints(N)) * 4);
}

bool qpacked_fits(const uint8_t* p, int64_t bytes, int64_t K, int64_t N, int64_t L) {
  if (!p || bytes != qpacked_bytes(K, N, L) || K > INT32_MAX || N > INT32_MAX) return false;
  const QuantIsa& q = isa().quant;
  int32_t h[kHeader];
  std::memcpy(h, p, sizeof h);
  return h[0] == kMagic && h[1] == q.mr && h[2] == q.nr && h[3] == q.kg && h[4] == q.elem &&
         h[5] == K && h[6] == N && h[7] == L;
}

void qgemm(const QGemmArgs& a) {
  const int64_t M = a.M, N = a.N, K = a.K;
  if (M == 0 || N == 0) return;
  const QuantIsa& q = isa().quant;
  const int64_t L = qsegment(a.conv, K);
  const Segments sg = segments_of(K, L);
  const int64_t unit = int64_t{q.kg} * q.elem;  // bytes of one k group of one packed row
  const int64_t rpanels = (M + q.mr - 1) / q.mr, cpanels = (N + q.nr - 1) / q.nr;
  const int64_t xpanel = sg.groups() * q.mr * unit, wpanel = sg.groups() * q.nr * unit;
  // The weights: packed by the caller once, or here for this call.
  std::vector<uint8_t> own;
  const uint8_t* packed = a.wpacked;
  if (!packed) {
    own.resize(static_cast<size_t>(qpacked_bytes(K, N, L)));
    qpack_weights(a.w, K, N, L, own.data());
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
  // uint8 x is read in place where the micro-kernel takes raw bytes; int8 x is flipped by packing.
  const bool direct = q.direct && !a.x_signed;
  const PanelRows panel_rows(a, sg, q.mr, q.kg, direct);
  const int S = static_cast<int>(sg.S);

  // Threads take runs of tiles, columns fastest; each prepares a row panel (pointers into x or
  // the image, gathered rows where needed, a packed panel where the ISA needs one) when its run
  // reaches a new one.
  const int64_t tiles = rpanels * cpanels;
  const int64_t work = int64_t{q.mr} * q.nr * (sg.groups() * q.kg + 1);
  const int64_t grain = std::max<int64_t>(1, kWorkPerThread / work);
  parallel_for(tiles, grain, [&](int64_t t0, int64_t t1) {
    std::vector<int32_t> tile(static_cast<size_t>(q.mr * q.nr));
    std::vector<uint8_t> xp(static_cast<size_t>(xpanel) + 64);
    std::vector<uint8_t> buf(static_cast<size_t>(q.mr * sg.S * panel_rows.seg_bytes) + 64);
    std::vector<uint8_t> zeros(static_cast<size_t>(panel_rows.seg_bytes) + 64, 0);
    std::vector<const uint8_t*> ptrs(static_cast<size_t>(std::max(1, S) * q.mr));
    std::vector<const uint8_t*> prow(static_cast<size_t>(q.mr));
    QTileSource src{};
    int64_t packed_rp = -1;
    for (int64_t t = t0; t < t1; t++) {
      const int64_t rp = t / cpanels, cp = t % cpanels;
      const int64_t i0 = rp * q.mr, j0 = cp * q.nr;
      const int rows = static_cast<int>(std::min<int64_t>(q.mr, M - i0));
      if (rp != packed_rp) {
        panel_rows.fill(i0, rows, ptrs.data(), buf.data(), zeros.data());
        if (direct) {
          src = {ptrs.data(), S, sg.G, q.kg};
        } else {
          q.pack_x(S, sg.L, ptrs.data(), rows, flip, xp.data());
          for (int r = 0; r < q.mr; r++) prow[r] = xp.data() + r * unit;
          src = {prow.data(), 1, sg.groups(), q.mr * unit};
        }
        packed_rp = rp;
      }
      const int cols = static_cast<int>(std::min<int64_t>(q.nr, N - j0));
      if (a.y8 && rows == q.mr && cols == q.nr) {  // requantized in registers
        const QTileOut out{nullptr, a.y8 + i0 * N + j0, N,      corr.data() + j0,
                           scale.data() + j0, epi.lo, epi.hi, a.y_zero};
        q.micro(src, wp + cp * wpanel, out);
        continue;
      }
      const QTileOut out{tile.data(), nullptr, 0, nullptr, nullptr, 0.0f, 0.0f, 0};
      q.micro(src, wp + cp * wpanel, out);
      for (int r = 0; r < rows; r++) epi.row(tile.data() + r * q.nr, i0 + r, j0, cols);
    }
  });
}

}  // namespace keel
