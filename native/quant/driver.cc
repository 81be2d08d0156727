// The shared parts of native/quant's drivers (driver.h): a call's preparation, the row pointers
// of a panel and a thread's workspace.
#include "driver.h"

#include <algorithm>
#include <cstring>

#include "../dispatch.h"
#include "../threadpool.h"

namespace keel {
namespace qdetail {

int64_t dynamic_grain(int64_t n, int64_t grain) {
  const int64_t chunks = int64_t{num_threads()} * 8;
  return std::max<int64_t>({int64_t{1}, grain, (n + chunks - 1) / chunks});
}

Segments segments_of(int64_t K, int64_t L) {
  const QuantIsa& q = isa().quant;
  if (K == 0 || L <= 0) return {0, 0, 0};
  return {K / L, L, (L + q.kg - 1) / q.kg};
}

Prepared::Prepared(const QGemmArgs& a)
    : a(a), sg(segments_of(a.K, qsegment(a.conv, a.K))), corr(static_cast<size_t>(a.N)),
      scale(static_cast<size_t>(a.N), 0.0f) {
  const QuantIsa& q = isa().quant;
  const int64_t K = a.K, N = a.N, L = qsegment(a.conv, K);
  wpanel = sg.groups() * q.kg * q.nr * q.elem;
  // The weights: packed by the caller once, or here for this call.
  const uint8_t* packed = a.wpacked;
  if (!packed) {
    own.resize(static_cast<size_t>(qpacked_bytes(K, N, L)));
    qpack_weights(a.w, K, N, L, own.data());
    packed = own.data();
  }
  const int32_t* colsum = qpacked_colsum(packed);
  wp = qpacked_panels(packed, N);
  // Flipped int8 activations are x + 128, so their zero point moves by 128 too.
  const uint32_t zero = static_cast<uint32_t>(a.x_zero + (a.x_signed ? 128 : 0));
  for (int64_t j = 0; j < N; j++) {
    uint32_t c = 0u - zero * static_cast<uint32_t>(colsum[j]);
    if (a.bias) c += static_cast<uint32_t>(a.bias[j]);
    corr[j] = static_cast<int32_t>(c);
    if (a.scale) scale[j] = a.scale[j * a.scale_step];
  }
  int32_t ylo = a.y_signed ? -128 : 0, yhi = a.y_signed ? 127 : 255;
  if (a.relu) ylo = std::max(ylo, a.y_zero);
  lo = static_cast<float>(ylo - a.y_zero);
  hi = static_cast<float>(yhi - a.y_zero);
}

QTileOut Prepared::requantized(int64_t at, int64_t j0, int pool, int n_out, int cols) const {
  return {nullptr, a.y8 + at + j0, a.N, corr.data() + j0, scale.data() + j0, lo, hi, a.y_zero,
          pool, n_out, cols};
}

PanelRows::PanelRows(const QGemmArgs& a, Segments sg, int mr, int kg, bool direct)
    : seg_bytes(sg.G * kg), a(a), sg(sg), mr(mr), x_bytes(a.M * a.K), direct(direct),
      pad(static_cast<uint8_t>(a.x_zero)), seg_off(static_cast<size_t>(std::max<int64_t>(1, sg.S)), 0) {
  if (!a.conv) return;
  const Conv2DGeom& g = *a.conv;
  x_bytes = g.batch * g.inH * g.inW * g.inC;
  for (int64_t s = 0; s < sg.S; s++) {
    const int64_t i = g.dilationW == 1 ? s : s / g.filterW;
    const int64_t j = g.dilationW == 1 ? 0 : s % g.filterW;
    seg_off[s] = (i * g.dilationH * g.inW + j * g.dilationW) * g.inC;
  }
}

void PanelRows::fill(int64_t i0, int rows, Workspace& w) const {
  w.any_own = false;
  for (int r = 0; r < mr; r++) w.own[r] = 0;
  fill_rows(i0, rows, w);
  // Rows past M repeat row 0: the micro-kernel computes them and nothing stores them (a packed
  // panel zeroes them instead).
  for (int r = rows; r < mr; r++) repeat(r, 0, w);
}

void PanelRows::fill_rows(int64_t i0, int rows, Workspace& w) const {
  if (a.conv) {
    if (sg.S > 0) fill_conv(i0, rows, w);
    else for (int r = 0; r < rows; r++) w.rows[r] = w.zeros.data();
    return;
  }
  for (int r = 0; r < rows; r++) {
    const int64_t i = i0 + r;
    w.rows[r] = a.x + i * a.K;
    if (direct && sg.S > 0 && i * a.K + seg_bytes > x_bytes) {  // the last rows: copy them
      uint8_t* own = w.buf.data() + r * seg_bytes;
      std::memcpy(own, w.rows[r], static_cast<size_t>(a.K));
      std::memset(own + a.K, 0, static_cast<size_t>(seg_bytes - a.K));
      w.gathered(r, own);
    }
  }
}

void PanelRows::fill_conv(int64_t i0, int rows, Workspace& w) const {
  const Conv2DGeom& g = *a.conv;
  const int64_t step = g.strideW * g.inC;
  const int64_t t = i0 / g.outW;
  int64_t ow = i0 % g.outW, oh = t % g.outH, b = t / g.outH;
  for (int r = 0; r < rows;) {
    // A run of pixels along one output row: their windows step by strideW·inC.
    const int run = static_cast<int>(std::min<int64_t>(rows - r, g.outW - ow));
    const int64_t h0 = oh * g.strideH - g.padTop;
    const bool rows_inside = h0 >= 0 && h0 + (g.filterH - 1) * g.dilationH < g.inH;
    const int64_t w0 = ow * g.strideW - g.padLeft;
    const int64_t base = ((b * g.inH + h0) * g.inW + w0) * g.inC;
    const int64_t w_last = w0 + (run - 1) * g.strideW + (g.filterW - 1) * g.dilationW;
    if (rows_inside && w0 >= 0 && w_last < g.inW && readable(base, (run - 1) * step)) {
      for (int q = 0; q < run; q++) w.rows[r + q] = a.x + base + q * step;
    } else {
      for (int q = 0; q < run; q++) fill_pixel(r + q, b, oh, ow + q, w);
    }
    r += run;
    ow = 0;
    if (++oh == g.outH) oh = 0, b++;
  }
}

bool PanelRows::fill_pool_windows(int64_t b, int64_t oh0, int64_t ow0, int n, int per,
                                  int64_t ph, int64_t pw, int64_t stride_w, Workspace& w) const {
  const Conv2DGeom& g = *a.conv;
  if (sg.S == 0) return false;
  const int64_t ow_last = ow0 + (n - 1) * stride_w + pw - 1;
  const int64_t ih0 = oh0 * g.strideH - g.padTop, iw0 = ow0 * g.strideW - g.padLeft;
  const int64_t ih_last = (oh0 + ph - 1) * g.strideH - g.padTop + (g.filterH - 1) * g.dilationH;
  const int64_t iw_last = ow_last * g.strideW - g.padLeft + (g.filterW - 1) * g.dilationW;
  if (ih0 < 0 || ih_last >= g.inH || iw0 < 0 || iw_last >= g.inW) return false;
  const int64_t C = g.inC, row = g.strideH * g.inW * C, col = g.strideW * C;
  const int64_t base = ((b * g.inH + ih0) * g.inW + iw0) * C;
  if (!readable(base, (ph - 1) * row + (ow_last - ow0) * col)) return false;
  w.any_own = false;
  int r = 0;
  for (int o = 0; o < per; o++) {
    const uint8_t* p = a.x + base + std::min(o, n - 1) * stride_w * col;
    for (int64_t dy = 0; dy < ph; dy++)
      for (int64_t dx = 0; dx < pw; dx++, r++) {
        w.rows[r] = p + dy * row + dx * col;
        w.own[r] = 0;
      }
  }
  for (; r < mr; r++) repeat(r, 0, w);
  return true;
}

void PanelRows::fill_pixel(int r, int64_t b, int64_t oh, int64_t ow, Workspace& w) const {
  const Conv2DGeom& g = *a.conv;
  w.own[r] = 0;
  if (sg.S == 0) {
    w.rows[r] = w.zeros.data();
    return;
  }
  const int64_t h0 = oh * g.strideH - g.padTop, w0 = ow * g.strideW - g.padLeft;
  const int64_t base = ((b * g.inH + h0) * g.inW + w0) * g.inC;
  if (h0 >= 0 && h0 + (g.filterH - 1) * g.dilationH < g.inH && w0 >= 0 &&
      w0 + (g.filterW - 1) * g.dilationW < g.inW && readable(base, 0)) {
    w.rows[r] = a.x + base;
    return;
  }
  uint8_t* own = w.buf.data() + r * sg.S * seg_bytes;
  gather(b, h0, w0, own);
  w.gathered(r, own);
}

void PanelRows::repeat(int r, int from, Workspace& w) {
  w.rows[r] = w.rows[from];
  w.own[r] = w.own[from];
}

QTileSource PanelRows::source(int rows, Workspace& w) const {
  const QuantIsa& q = isa().quant;
  const int S = static_cast<int>(sg.S);
  if (w.direct && !w.any_own) return {w.rows.data(), seg_off.data(), S, sg.G, q.kg};
  // Packed: segment pointers for pack_x, then one segment of all the groups.
  for (int r = 0; r < mr; r++)
    for (int s = 0; s < S; s++)
      w.segptrs[s * mr + r] = w.rows[r] + (w.own[r] ? s * seg_bytes : seg_off[s]);
  q.pack_x(S, sg.L, w.segptrs.data(), rows, a.x_signed ? 0x80 : 0, w.xp.data());
  const int64_t unit = int64_t{q.kg} * q.elem;
  for (int r = 0; r < mr; r++) w.prow[r] = w.xp.data() + r * unit;
  return {w.prow.data(), &zero_offset, 1, sg.groups(), mr * unit};
}

void PanelRows::gather(int64_t b, int64_t h0, int64_t w0, uint8_t* dst) const {
  const Conv2DGeom& g = *a.conv;
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

Workspace::Workspace(const Prepared& p, int64_t seg_bytes)
    : p(p), direct(isa().quant.direct && !p.a.x_signed) {
  const QuantIsa& q = isa().quant;
  const int64_t unit = int64_t{q.kg} * q.elem;
  tile.resize(static_cast<size_t>(q.mr * q.nr));
  xp.resize(static_cast<size_t>(p.sg.groups() * q.mr * unit) + 64);
  buf.resize(static_cast<size_t>(q.mr * p.sg.S * seg_bytes) + 64);
  zeros.assign(static_cast<size_t>(std::max<int64_t>(1, p.sg.S) * seg_bytes) + 64, 0);
  rows.resize(static_cast<size_t>(q.mr));
  segptrs.resize(static_cast<size_t>(std::max<int64_t>(1, p.sg.S) * q.mr));
  prow.resize(static_cast<size_t>(q.mr));
  own.resize(static_cast<size_t>(q.mr));
}

}  // namespace qdetail
}  // namespace keel
