// The ISA-neutral part of the integer GEMM: pack every operand once, run the micro-kernel over
// a grid of mr x nr tiles (threads take contiguous runs of tiles, columns fastest, so a thread
// reuses its x panel), and apply the zero-point correction, bias and requantization to each
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
#include <cmath>
#include <vector>

#include "../dispatch.h"
#include "../threadpool.h"

namespace keel {
namespace {

// Below this many multiply-adds per thread, more threads cost more than they save.
constexpr int64_t kWorkPerThread = 64 * 64 * 64;

/** y[i, j] from the raw sum of x_u8 * w over k (wrapping), as the reference defines it. */
struct Epilogue {
  const QGemmArgs& a;
  const int32_t* colsum;
  uint32_t zero;  // the zero point of the (flipped) uint8 activations
  float lo, hi;   // the clamp bounds before adding y_zero

  void row(const int32_t* raw, int64_t i, int64_t j0, int cols) const {
    for (int c = 0; c < cols; c++) {
      const int64_t j = j0 + c;
      uint32_t acc = static_cast<uint32_t>(raw[c]) - zero * static_cast<uint32_t>(colsum[j]);
      if (a.bias) acc += static_cast<uint32_t>(a.bias[j]);
      const int32_t v = static_cast<int32_t>(acc);
      if (a.raw) {
        a.y32[i * a.N + j] = v;
        continue;
      }
      if (a.yf) {
        const float p = static_cast<float>(v) * a.scale[j * a.scale_step];
        const float r = a.fbias ? p + a.fbias[j] : p;
        a.yf[i * a.N + j] = a.relu ? (r > 0.0f ? r : 0.0f) : r;
        continue;
      }
      // float32(acc) * scale in float32, clamped to the integer bounds, rounded half to even
      // (the default rounding mode); clamping first keeps the conversion in range.
      const float s = static_cast<float>(v) * a.scale[j * a.scale_step];
      const float c2 = std::min(std::max(s, lo), hi);
      const int32_t q = static_cast<int32_t>(std::nearbyint(c2)) + a.y_zero;
      a.y8[i * a.N + j] = static_cast<uint8_t>(q);
    }
  }
};

}  // namespace

void qgemm(const QGemmArgs& a) {
  const int64_t M = a.M, N = a.N, K = a.K;
  if (M == 0 || N == 0) return;
  const QuantIsa& q = isa().quant;
  const int64_t kp = (K + q.kg - 1) / q.kg * q.kg;
  const int64_t rpanels = (M + q.mr - 1) / q.mr, cpanels = (N + q.nr - 1) / q.nr;
  const int64_t xpanel = kp * q.mr * q.elem, wpanel = kp * q.nr * q.elem;
  std::vector<uint8_t> xp(static_cast<size_t>(rpanels * xpanel));
  std::vector<uint8_t> wp(static_cast<size_t>(cpanels * wpanel));
  std::vector<int32_t> colsum(static_cast<size_t>(N));
  const uint8_t flip = a.x_signed ? 0x80 : 0;

  const int64_t pack_grain = std::max<int64_t>(1, kWorkPerThread / (64 * (kp + 1)));
  parallel_for(cpanels, pack_grain, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const int64_t j0 = p * q.nr;
      const int cols = static_cast<int>(std::min<int64_t>(q.nr, N - j0));
      q.pack_w(a.w + j0, N, cols, K, wp.data() + p * wpanel);
    }
  });
  // Column sums row by row (contiguous, vectorisable), wrapping like the accumulators.
  std::vector<uint32_t> sums(static_cast<size_t>(N), 0u);
  for (int64_t k = 0; k < K; k++)
    for (int64_t j = 0; j < N; j++) sums[j] += static_cast<uint32_t>(int32_t{a.w[k * N + j]});
  for (int64_t j = 0; j < N; j++) colsum[j] = static_cast<int32_t>(sums[j]);
  parallel_for(rpanels, pack_grain, [&](int64_t p0, int64_t p1) {
    for (int64_t p = p0; p < p1; p++) {
      const int64_t i0 = p * q.mr;
      q.pack_x(a.x + i0 * K, K, flip, static_cast<int>(std::min<int64_t>(q.mr, M - i0)), K,
               xp.data() + p * xpanel);
    }
  });

  // Flipped int8 activations are x + 128, so their zero point moves by 128 too.
  const uint32_t zero = static_cast<uint32_t>(a.x_zero + (a.x_signed ? 128 : 0));
  int32_t ylo = a.y_signed ? -128 : 0, yhi = a.y_signed ? 127 : 255;
  if (a.relu) ylo = std::max(ylo, a.y_zero);
  const Epilogue epi{a, colsum.data(), zero, static_cast<float>(ylo - a.y_zero),
                     static_cast<float>(yhi - a.y_zero)};

  const int64_t tiles = rpanels * cpanels;
  const int64_t grain = std::max<int64_t>(1, kWorkPerThread / (int64_t{q.mr} * q.nr * (kp + 1)));
  parallel_for(tiles, grain, [&](int64_t t0, int64_t t1) {
    std::vector<int32_t> tile(static_cast<size_t>(q.mr * q.nr));
    for (int64_t t = t0; t < t1; t++) {
      const int64_t rp = t / cpanels, cp = t % cpanels;
      q.micro(kp, xp.data() + rp * xpanel, wp.data() + cp * wpanel, tile.data());
      const int64_t i0 = rp * q.mr, j0 = cp * q.nr;
      const int rows = static_cast<int>(std::min<int64_t>(q.mr, M - i0));
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
