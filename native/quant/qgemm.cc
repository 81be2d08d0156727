// The ISA-neutral part of the integer GEMM: the weights packed once (by the caller, for every
// call of a layer, or here), x packed one mr-row panel at a time (rows of x, or the im2col rows
// of a convolution's output pixels, so no im2col matrix is ever stored), the micro-kernel over a
// grid of mr x nr tiles (threads take contiguous runs of tiles, columns fastest, so a thread
// reuses its x panel), and the zero-point correction, bias and requantization applied to each
// tile as it leaves the micro-kernel.
#include "qgemm.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "../dispatch.h"
#include "../threadpool.h"
#include "driver.h"

namespace keel {
namespace {

using qdetail::kWorkPerThread;
using qdetail::Segments;
using qdetail::segments_of;

constexpr int32_t kMagic = 0x3257514b;  // "KQW2"
constexpr int64_t kHeader = 8;          // int32 header fields

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

const int32_t* qpacked_colsum(const uint8_t* packed) {
  return reinterpret_cast<const int32_t*>(packed + kHeader * 4);
}

const uint8_t* qpacked_panels(const uint8_t* packed, int64_t N) {
  return packed + (kHeader + colsum_ints(N)) * 4;
}

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
  const int64_t M = a.M, N = a.N;
  if (M == 0 || N == 0) return;
  const QuantIsa& q = isa().quant;
  const qdetail::Prepared p(a);
  const qdetail::PanelRows panel_rows(a, p.sg, q.mr, q.kg, q.direct && !a.x_signed);
  const int64_t rpanels = (M + q.mr - 1) / q.mr, cpanels = (N + q.nr - 1) / q.nr;

  // Threads take runs of tiles, columns fastest; each prepares a row panel (pointers into x or
  // the image, gathered rows where needed, a packed panel where the ISA needs one) when its run
  // reaches a new one.
  const int64_t tiles = rpanels * cpanels;
  const int64_t work = int64_t{q.mr} * q.nr * (p.sg.groups() * q.kg + 1);
  const int64_t grain = std::max<int64_t>(1, kWorkPerThread / work);
  parallel_for_dynamic(tiles, qdetail::dynamic_grain(tiles, grain), [&](int64_t t0, int64_t t1) {
    qdetail::Workspace ws(p, panel_rows.seg_bytes);
    QTileSource src{};
    int64_t packed_rp = -1;
    for (int64_t t = t0; t < t1; t++) {
      const int64_t rp = t / cpanels, cp = t % cpanels;
      const int64_t i0 = rp * q.mr, j0 = cp * q.nr;
      const int rows = static_cast<int>(std::min<int64_t>(q.mr, M - i0));
      if (rp != packed_rp) {
        panel_rows.fill(i0, rows, ws);
        src = panel_rows.source(rows, ws);
        packed_rp = rp;
      }
      const int cols = static_cast<int>(std::min<int64_t>(q.nr, N - j0));
      if (a.y8) {  // requantized by the micro-kernel
        q.micro(src, p.wp + cp * p.wpanel, p.requantized(i0 * N, j0, 1, rows, cols));
        continue;
      }
      const QTileOut out{ws.tile.data(), nullptr, 0, nullptr, nullptr, 0.0f, 0.0f, 0, 1, 0, cols};
      q.micro(src, p.wp + cp * p.wpanel, out);
      for (int r = 0; r < rows; r++) p.row(ws.tile.data() + r * q.nr, i0 + r, j0, cols);
    }
  });
}

}  // namespace keel
