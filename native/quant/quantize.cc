// Quantization of float32 activations to uint8 (issue 12): static (a calibrated scale and zero
// point, QuantizeLinearAttrs) and dynamic (the batch's own range, QuantizeUint8Attrs). The
// semantics are the TypeScript reference's (src/backends/ts/kernels/quantized-matmul.ts).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "../threadpool.h"
#include "qgemm.h"

namespace keel {
namespace {

// Elements per chunk: below about 2^18 a second thread costs more than it saves.
constexpr int64_t kGrain = 1 << 18;

/**
 * q[i] = nearbyint(clamp(f32(x[i] / scale), -zero, 255 - zero)) + zero for i < n, NaN to the
 * lower bound. SSE2 (the x86-64 baseline) does 16 at a time: divps is IEEE division as the
 * scalar one, maxps(v, lo) gives lo for NaN, and cvtps2dq rounds half to even as nearbyint in
 * the default rounding mode.
 */
void quantize_run(const float* x, int64_t n, float scale, int32_t zero, uint8_t* q) {
  const float qlo = static_cast<float>(-zero), qhi = static_cast<float>(255 - zero);
  int64_t i = 0;
#if defined(__SSE2__)
  const __m128 vs = _mm_set1_ps(scale), vlo = _mm_set1_ps(qlo), vhi = _mm_set1_ps(qhi);
  const __m128i vz = _mm_set1_epi32(zero);
  for (; i + 16 <= n; i += 16) {
    __m128i r[4];
    for (int k = 0; k < 4; k++) {
      const __m128 v = _mm_div_ps(_mm_loadu_ps(x + i + 4 * k), vs);
      const __m128 c = _mm_min_ps(_mm_max_ps(v, vlo), vhi);
      r[k] = _mm_add_epi32(_mm_cvtps_epi32(c), vz);  // in [0, 255]
    }
    const __m128i w0 = _mm_packs_epi32(r[0], r[1]), w1 = _mm_packs_epi32(r[2], r[3]);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(q + i), _mm_packus_epi16(w0, w1));
  }
#endif
  for (; i < n; i++) {
    const float v = x[i] / scale;
    const float c = !(v >= qlo) ? qlo : (v > qhi ? qhi : v);  // NaN to the lower bound
    q[i] = static_cast<uint8_t>(static_cast<int32_t>(std::nearbyint(c)) + zero);
  }
}

/** quantize_run over [0, n) in chunks of kGrain on the pool. */
void quantize_parallel(const float* x, int64_t n, float scale, int32_t zero, uint8_t* q) {
  parallel_for_dynamic((n + kGrain - 1) / kGrain, 1, [&](int64_t c0, int64_t c1) {
    const int64_t b = c0 * kGrain, e = std::min(n, c1 * kGrain);
    quantize_run(x + b, e - b, scale, zero, q + b);
  });
}

}  // namespace

void quantize_linear(const float* x, int64_t n, float scale, int32_t zero, uint8_t* q) {
  quantize_parallel(x, n, scale, zero, q);
}

void quantize_uint8(const float* x, int64_t n, uint8_t* q, float* params) {
  // The range, per chunk then combined (min and max do not depend on the order).
  const int64_t chunks = (n + kGrain - 1) / kGrain;
  std::vector<float> lo(static_cast<size_t>(chunks), 0.0f), hi(static_cast<size_t>(chunks), 0.0f);
  std::vector<uint8_t> bad(static_cast<size_t>(chunks), 0);
  parallel_for_dynamic(chunks, 1, [&](int64_t c0, int64_t c1) {
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
  // x holds no NaN here, so the static rule is the dynamic one's second pass.
  quantize_parallel(x, n, scale, zp, q);
  params[0] = scale;
  params[1] = static_cast<float>(zp);
}

}  // namespace keel
