// A quantized convolution and the max pooling after it in one pass (issue 12): a tile's rows are
// the pixels of whole pooling windows, their int32 sums (with the corrections) are pooled in
// registers and only the pooled values are requantized, so the convolution's output is never
// written, read back or requantized pixel by pixel. Requantization is non-decreasing when every
// scale is positive, so max(requant(v)) = requant(max(v)), bit for bit; other cases (a negative
// scale, windows that do not divide the micro-tile's rows) run the convolution and then the
// pooling.
#include <algorithm>
#include <vector>

#include "../dispatch.h"
#include "../threadpool.h"
#include "driver.h"

namespace keel {
namespace {

/** Whether some window of a pooling axis lies wholly in its padding (its output is then 0). */
bool empty_window(int64_t in, int64_t out, int64_t size, int64_t stride, int64_t pad) {
  return out > 0 && (size - pad <= 0 || (out - 1) * stride - pad >= in);
}

/**
 * The general case: the convolution into a buffer, then the pooling, a few images at a time so
 * the buffer stays about 1 MiB (a fresh buffer of the whole output page-faults on every call).
 */
void unfused(const QGemmArgs& a, const Pool2DGeom& pool) {
  const Conv2DGeom& g = *a.conv;
  const int64_t image_out = g.outH * g.outW * g.outC;
  if (g.batch == 0 || image_out == 0) return;
  const int64_t images = std::max<int64_t>(1, std::min<int64_t>(g.batch, (1 << 20) / image_out));
  std::vector<uint8_t> conv(static_cast<size_t>(images * image_out));
  for (int64_t b0 = 0; b0 < g.batch; b0 += images) {
    const int64_t n = std::min(images, g.batch - b0);
    Conv2DGeom gc = g;
    gc.batch = n;
    Pool2DGeom pc = pool;
    pc.batch = n;
    QGemmArgs c = a;
    c.conv = &gc;
    c.M = n * g.outH * g.outW;
    c.x = a.x + b0 * g.inH * g.inW * g.inC;
    c.y8 = conv.data();
    qgemm(c);
    max_pool2d_u8(conv.data(), a.y8 + b0 * pool.outH * pool.outW * pool.channels, pc);
  }
}

/**
 * The general case of a tile's rows (QTileSource pointers of `per` pooling windows): pixel by
 * pixel, a tap in the pooling's padding repeating the window's first pixel (which changes no
 * maximum); outputs past n repeat output n - 1, rows past per·ws repeat row 0.
 */
void fill_windows(const qdetail::PanelRows& rows, const Pool2DGeom& pool, int64_t b, int64_t ph,
                  int64_t pw0, int n, int per, int mr, qdetail::Workspace& w) {
  const int64_t h0 = ph * pool.strideH - pool.padTop;
  const int64_t h_first = std::max<int64_t>(h0, 0);
  int r = 0;
  for (int o = 0; o < per; o++) {
    const int64_t w0 = (pw0 + std::min(o, n - 1)) * pool.strideW - pool.padLeft;
    const int64_t w_first = std::max<int64_t>(w0, 0);
    for (int64_t dy = 0; dy < pool.poolH; dy++)
      for (int64_t dx = 0; dx < pool.poolW; dx++, r++) {
        const int64_t oh = h0 + dy, ow = w0 + dx;
        const bool inside = oh < pool.inH && ow < pool.inW && oh >= 0 && ow >= 0;
        rows.fill_pixel(r, b, inside ? oh : h_first, inside ? ow : w_first, w);
      }
  }
  for (; r < mr; r++) qdetail::PanelRows::repeat(r, 0, w);
}

}  // namespace

void qconv_max_pool(const QGemmArgs& a, const Pool2DGeom& pool) {
  const QuantIsa& q = isa().quant;
  const int64_t N = a.N, ws = pool.poolH * pool.poolW;
  bool positive = a.scale != nullptr;
  for (int64_t j = 0; positive && j < N; j++) positive = a.scale[j * a.scale_step] > 0.0f;
  // A tile must hold whole windows without spare rows: 2x2 windows fill the 8-row avx512vnni
  // tile twice, but would waste a third of a 6-row ymm tile (measured slower than unfused there).
  if (!positive || !a.y8 || a.y_signed || q.mr % ws != 0 ||
      empty_window(pool.inH, pool.outH, pool.poolH, pool.strideH, pool.padTop) ||
      empty_window(pool.inW, pool.outW, pool.poolW, pool.strideW, pool.padLeft)) {
    unfused(a, pool);
    return;
  }
  if (N == 0 || pool.batch * pool.outH * pool.outW == 0) return;
  const qdetail::Prepared p(a);
  const qdetail::PanelRows panel_rows(a, p.sg, q.mr, q.kg, q.direct && !a.x_signed);
  // A tile holds `per` pooled outputs side by side in one pooled row, ws pixels each.
  const int per = static_cast<int>(q.mr / ws);
  const int64_t col_groups = (pool.outW + per - 1) / per, cpanels = (N + q.nr - 1) / q.nr;
  const int64_t units = pool.batch * pool.outH * col_groups * cpanels;
  const int64_t work = int64_t{q.mr} * q.nr * (p.sg.groups() * q.kg + 1);
  const int64_t grain = qdetail::dynamic_grain(units, qdetail::kWorkPerThread / work);
  parallel_for_dynamic(units, grain, [&](int64_t u0, int64_t u1) {
    qdetail::Workspace w(p, panel_rows.seg_bytes);
    QTileSource src{};
    // The unit u0 as (b, ph, column group, column panel), then stepped without divisions.
    int64_t cp = u0 % cpanels, t = u0 / cpanels;
    int64_t group = t % col_groups, ph = (t / col_groups) % pool.outH;
    int64_t b = t / col_groups / pool.outH;
    bool filled = false;
    for (int64_t u = u0; u < u1; u++) {
      const int64_t pw0 = group * per;
      const int n = static_cast<int>(std::min<int64_t>(per, pool.outW - pw0));
      if (!filled) {
        const int64_t h0 = ph * pool.strideH - pool.padTop;
        const int64_t w0 = pw0 * pool.strideW - pool.padLeft;
        const bool inside = h0 >= 0 && h0 + pool.poolH <= pool.inH && w0 >= 0 &&
                            w0 + (n - 1) * pool.strideW + pool.poolW <= pool.inW;
        if (!inside || !panel_rows.fill_pool_windows(b, h0, w0, n, per, pool.poolH, pool.poolW,
                                                     pool.strideW, w)) {
          w.any_own = false;
          fill_windows(panel_rows, pool, b, ph, pw0, n, per, q.mr, w);
        }
        src = panel_rows.source(q.mr, w);
        filled = true;
      }
      const int64_t j0 = cp * q.nr;
      const int cols = static_cast<int>(std::min<int64_t>(q.nr, N - j0));
      const int64_t at = ((b * pool.outH + ph) * pool.outW + pw0) * N;
      q.micro(src, p.wp + cp * p.wpanel, p.requantized(at, j0, static_cast<int>(ws), n, cols));
      if (++cp < cpanels) continue;
      cp = 0, filled = false;
      if (++group < col_groups) continue;
      group = 0;
      if (++ph == pool.outH) ph = 0, b++;
    }
  });
}

}  // namespace keel
