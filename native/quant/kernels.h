// The integer GEMM micro-kernels and their packing, compiled per ISA (included by isa/table.h
// inside keel::KEEL_ISA). Each isa/<name>.cc picks one variant by defining KEEL_QUANT_VNNI
// (vpdpbusd, 4 k steps per instruction) or KEEL_QUANT_MADD16 (AVX2 vpmaddwd on int16-widened
// operands, 2 k steps), else the portable one. vpmaddubsw is not used: it saturates its int16
// pair sums (255*127*2 > 32767), and widening to int16 first keeps every product exact.
// All sums wrap modulo 2^32, so any summation order gives the reference's bits.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#if defined(KEEL_QUANT_VNNI) || defined(KEEL_QUANT_MADD16)
#include <immintrin.h>
#endif

#include "qgemm.h"

namespace keel {
namespace KEEL_ISA {
namespace quant {

#if defined(KEEL_QUANT_VNNI)
constexpr int QMR = 8, QNR = 32, QKG = 4;  // 16 zmm accumulators
using XElem = uint8_t;
using WElem = int8_t;
#elif defined(KEEL_QUANT_MADD16)
constexpr int QMR = 6, QNR = 16, QKG = 2;  // 12 ymm accumulators
using XElem = int16_t;
using WElem = int16_t;
#else
constexpr int QMR = 4, QNR = 8, QKG = 1;
using XElem = uint8_t;
using WElem = int8_t;
#endif

// Packed layout (both operands): [kp / QKG][rows or cols of the panel][QKG].
static void pack_x(const uint8_t* x, int64_t ldx, uint8_t flip, int rows, int64_t K, void* dst) {
  XElem* d = static_cast<XElem*>(dst);
  const int64_t kp = (K + QKG - 1) / QKG * QKG;
  for (int64_t k0 = 0; k0 < kp; k0 += QKG) {
    if (rows == QMR && k0 + QKG <= K) {  // a whole step: no bounds to test
      for (int r = 0; r < QMR; r++)
        for (int q = 0; q < QKG; q++)
          *d++ = static_cast<XElem>(static_cast<uint8_t>(x[r * ldx + k0 + q] ^ flip));
      continue;
    }
    for (int r = 0; r < QMR; r++)
      for (int q = 0; q < QKG; q++) {
        const int64_t k = k0 + q;
        *d++ = r < rows && k < K ? static_cast<XElem>(static_cast<uint8_t>(x[r * ldx + k] ^ flip))
                                 : XElem(0);
      }
  }
}

static void pack_w(const int8_t* w, int64_t ldw, int cols, int64_t K, void* dst) {
  WElem* d = static_cast<WElem*>(dst);
  const int64_t kp = (K + QKG - 1) / QKG * QKG;
  for (int64_t k0 = 0; k0 < kp; k0 += QKG) {
    if (cols == QNR && k0 + QKG <= K) {  // a whole step: no bounds to test
      for (int j = 0; j < QNR; j++)
        for (int q = 0; q < QKG; q++) *d++ = static_cast<WElem>(w[(k0 + q) * ldw + j]);
      continue;
    }
    for (int j = 0; j < QNR; j++)
      for (int q = 0; q < QKG; q++) {
        const int64_t k = k0 + q;
        *d++ = j < cols && k < K ? static_cast<WElem>(w[k * ldw + j]) : WElem(0);
      }
  }
}

#if defined(KEEL_QUANT_VNNI)
static void micro(int64_t kp, const void* xp, const void* wp, int32_t* tile) {
  const uint8_t* a = static_cast<const uint8_t*>(xp);
  const int8_t* b = static_cast<const int8_t*>(wp);
  __m512i acc[QMR][2];
  for (int r = 0; r < QMR; r++) acc[r][0] = acc[r][1] = _mm512_setzero_si512();
  for (int64_t s = 0; s < kp / 4; s++) {
    const __m512i b0 = _mm512_loadu_si512(b);
    const __m512i b1 = _mm512_loadu_si512(b + 64);
    for (int r = 0; r < QMR; r++) {
      int32_t four;
      std::memcpy(&four, a + 4 * r, 4);
      const __m512i x4 = _mm512_set1_epi32(four);
      acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], x4, b0);  // u8 (x) . s8 (w), 4 per lane
      acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], x4, b1);
    }
    a += 4 * QMR;
    b += 4 * QNR;
  }
  for (int r = 0; r < QMR; r++) {
    _mm512_storeu_si512(tile + r * QNR, acc[r][0]);
    _mm512_storeu_si512(tile + r * QNR + 16, acc[r][1]);
  }
}
#elif defined(KEEL_QUANT_MADD16)
static void micro(int64_t kp, const void* xp, const void* wp, int32_t* tile) {
  const int16_t* a = static_cast<const int16_t*>(xp);
  const int16_t* b = static_cast<const int16_t*>(wp);
  __m256i acc[QMR][2];
  for (int r = 0; r < QMR; r++) acc[r][0] = acc[r][1] = _mm256_setzero_si256();
  for (int64_t s = 0; s < kp / 2; s++) {
    const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
    const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 16));
    for (int r = 0; r < QMR; r++) {
      int32_t pair;
      std::memcpy(&pair, a + 2 * r, 4);
      const __m256i x2 = _mm256_set1_epi32(pair);
      // x0*w0 + x1*w1 per column: |each product| <= 255*128, so the pair sum is exact.
      acc[r][0] = _mm256_add_epi32(acc[r][0], _mm256_madd_epi16(x2, b0));
      acc[r][1] = _mm256_add_epi32(acc[r][1], _mm256_madd_epi16(x2, b1));
    }
    a += 2 * QMR;
    b += 2 * QNR;
  }
  for (int r = 0; r < QMR; r++) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(tile + r * QNR), acc[r][0]);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(tile + r * QNR + 8), acc[r][1]);
  }
}
#else
static void micro(int64_t kp, const void* xp, const void* wp, int32_t* tile) {
  const uint8_t* a = static_cast<const uint8_t*>(xp);
  const int8_t* b = static_cast<const int8_t*>(wp);
  uint32_t acc[QMR][QNR] = {};  // unsigned: wrapping is defined
  for (int64_t k = 0; k < kp; k++) {
    for (int r = 0; r < QMR; r++) {
      const uint32_t xv = a[r];
      for (int j = 0; j < QNR; j++) acc[r][j] += xv * static_cast<uint32_t>(int32_t{b[j]});
    }
    a += QMR;
    b += QNR;
  }
  for (int r = 0; r < QMR; r++)
    for (int j = 0; j < QNR; j++) tile[r * QNR + j] = static_cast<int32_t>(acc[r][j]);
}
#endif

// The requantize epilogue (QuantIsa::requant); the scalar steps are the reference's.
static void requant(const int32_t* raw, int n, const int32_t* corr, const float* scale, float lo,
                    float hi, int32_t yz, bool y_signed, uint8_t* y) {
  int j = 0;
#if defined(KEEL_QUANT_VNNI) || defined(KEEL_QUANT_MADD16)
  const __m256 vlo = _mm256_set1_ps(lo), vhi = _mm256_set1_ps(hi);
  const __m256i vz = _mm256_set1_epi32(yz);
  for (; j + 8 <= n; j += 8) {
    const __m256i v =
        _mm256_add_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(raw + j)),
                         _mm256_loadu_si256(reinterpret_cast<const __m256i*>(corr + j)));
    __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(v), _mm256_loadu_ps(scale + j));
    f = _mm256_min_ps(_mm256_max_ps(f, vlo), vhi);
    // cvtps2dq rounds half to even (the default MXCSR mode); the sum fits int16 and a byte.
    const __m256i q = _mm256_add_epi32(_mm256_cvtps_epi32(f), vz);
    const __m128i w16 = _mm_packs_epi32(_mm256_castsi256_si128(q), _mm256_extracti128_si256(q, 1));
    const __m128i b8 = y_signed ? _mm_packs_epi16(w16, w16) : _mm_packus_epi16(w16, w16);
    _mm_storel_epi64(reinterpret_cast<__m128i*>(y + j), b8);
  }
#endif
  for (; j < n; j++) {
    const int32_t v =
        static_cast<int32_t>(static_cast<uint32_t>(raw[j]) + static_cast<uint32_t>(corr[j]));
    const float s = static_cast<float>(v) * scale[j];
    const float c = std::min(std::max(s, lo), hi);
    y[j] = static_cast<uint8_t>(static_cast<int32_t>(std::nearbyint(c)) + yz);
  }
}

}  // namespace quant
}  // namespace KEEL_ISA
}  // namespace keel

/** The QuantIsa initializer of this ISA (isa/table.h). */
#define KEEL_QUANT_TABLE(ns)                                                          \
  {ns::quant::QMR, ns::quant::QNR, ns::quant::QKG,                                   \
   static_cast<int>(sizeof(ns::quant::XElem)), ns::quant::pack_x, ns::quant::pack_w, \
   ns::quant::micro, ns::quant::requant}
