// The integer GEMM micro-kernels and their packing, compiled per ISA (included by isa/table.h
// inside keel::KEEL_ISA). Each isa/<name>.cc picks one variant:
//   KEEL_QUANT_VNNI     AVX-512 VNNI: vpdpbusd on zmm, 8x32 tiles, 4 k per instruction;
//   KEEL_QUANT_AVXVNNI  AVX-VNNI: the VEX vpdpbusd on ymm, 6x16 tiles, 4 k per instruction;
//   KEEL_QUANT_MADD16   AVX2 vpmaddwd on int16-widened operands, 6x16 tiles, 2 k per instruction;
//   (none)              portable C++, 4x8 tiles.
// vpmaddubsw is not used: it saturates its int16 pair sums (255*127*2 > 32767), and the exact
// ways around that (7-bit weights, which change the quantization, or splitting x into two 7-bit
// halves) cost more instructions per product than widening to int16 for vpmaddwd.
// All sums wrap modulo 2^32, so any summation order gives the reference's bits.
//
// A micro-kernel reads its x operand through row pointers (QTileSource): the rows of a packed
// panel, or, where the ISA consumes raw uint8 bytes (`direct`), the image itself: one pointer
// per row (an output pixel's window) and one offset per segment of contiguous taps (a filter
// row of a convolution), so no im2col matrix and no packing. A full tile with an 8-bit output is requantized in registers (QTileOut).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#if defined(KEEL_QUANT_VNNI) || defined(KEEL_QUANT_AVXVNNI) || defined(KEEL_QUANT_MADD16)
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
#elif defined(KEEL_QUANT_AVXVNNI)
constexpr int QMR = 6, QNR = 16, QKG = 4;  // 12 ymm accumulators
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
// The bytes of one k group of one row (what a micro-kernel broadcasts): 4, or 1 when portable.
constexpr int kUnit = QKG * static_cast<int>(sizeof(XElem));
// Whether the micro-kernel reads raw uint8 bytes, so it can read x (or an image) in place.
constexpr bool kDirect = sizeof(XElem) == 1;

/**
 * Packs rows [0, rows) into one QMR-row panel, k-group-major: [S·G][QMR][QKG] elements with
 * G = ceil(L / QKG). Row r's segment s is the L bytes at src[s * QMR + r] (XOR flip); k past L
 * and rows past `rows` are zero.
 */
static void pack_x(int S, int64_t L, const uint8_t* const* src, int rows, uint8_t flip,
                   void* dst) {
  XElem* d = static_cast<XElem*>(dst);
  const int64_t G = (L + QKG - 1) / QKG;
  for (int s = 0; s < S; s++) {
    const uint8_t* const* p = src + s * QMR;
    for (int64_t g = 0; g < G; g++) {
      const int64_t k0 = g * QKG;
      if (rows == QMR && k0 + QKG <= L) {  // a whole step: no bounds to test
        for (int r = 0; r < QMR; r++)
          for (int q = 0; q < QKG; q++)
            *d++ = static_cast<XElem>(static_cast<uint8_t>(p[r][k0 + q] ^ flip));
        continue;
      }
      for (int r = 0; r < QMR; r++)
        for (int q = 0; q < QKG; q++) {
          const int64_t k = k0 + q;
          *d++ = r < rows && k < L ? static_cast<XElem>(static_cast<uint8_t>(p[r][k] ^ flip))
                                   : XElem(0);
        }
    }
  }
}

/**
 * Packs columns [0, cols) of w (row stride ldw) into one QNR-column panel [S·G][QNR][QKG]: k runs
 * over S segments of L rows each (K = S·L), every segment padded with zero weights to a whole
 * number of groups, so a segment's k groups never straddle two segments.
 */
static void pack_w(const int8_t* w, int64_t ldw, int cols, int S, int64_t L, void* dst) {
  WElem* d = static_cast<WElem*>(dst);
  const int64_t G = (L + QKG - 1) / QKG;
  for (int s = 0; s < S; s++) {
    const int8_t* ws = w + s * L * ldw;
    for (int64_t g = 0; g < G; g++) {
      const int64_t k0 = g * QKG;
      for (int j = 0; j < QNR; j++)
        for (int q = 0; q < QKG; q++) {
          const int64_t k = k0 + q;
          *d++ = j < cols && k < L ? static_cast<WElem>(ws[k * ldw + j]) : WElem(0);
        }
    }
  }
}

/** One k group (kUnit bytes) of a row, as the 32-bit lane the micro-kernel broadcasts. */
static inline int32_t unit(const uint8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

/** One requantized value, the reference's scalar steps. */
static inline uint8_t requant1(int32_t v, float scale, float lo, float hi, int32_t yz) {
  const float c = std::min(std::max(static_cast<float>(v) * scale, lo), hi);
  return static_cast<uint8_t>(static_cast<int32_t>(std::nearbyint(c)) + yz);
}

/**
 * The requantizing epilogue through memory: output q of the tile t (QMR x QNR sums with the
 * corrections) is the maximum of rows [q·pool, q·pool + pool), requantized into
 * o.y8 + q·o.ldy, for q < o.n_out and columns j < o.cols. Requantization is non-decreasing in
 * the sum when every scale is positive (a pooling caller checks), so this is the maximum of the
 * requantized pixels, bit for bit.
 */
static void tile_requant(const int32_t* tile, const QTileOut& o) {
  for (int q = 0; q < o.n_out; q++) {
    const int32_t* t = tile + q * o.pool * QNR;
    uint8_t* out = o.y8 + q * o.ldy;
    int j = 0;
#if defined(KEEL_QUANT_VNNI)
    const __m512 vlo = _mm512_set1_ps(o.lo), vhi = _mm512_set1_ps(o.hi);
    const __m512i vz = _mm512_set1_epi32(o.yz);
    for (; j < o.cols; j += 16) {  // the tile is QNR wide, so whole vectors are read
      __m512i m = _mm512_loadu_si512(t + j);
      for (int r = 1; r < o.pool; r++) m = _mm512_max_epi32(m, _mm512_loadu_si512(t + r * QNR + j));
      const __mmask16 keep = o.cols - j >= 16 ? 0xffff : (1u << (o.cols - j)) - 1;
      __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(m), _mm512_maskz_loadu_ps(keep, o.scale + j));
      f = _mm512_min_ps(_mm512_max_ps(f, vlo), vhi);
      _mm512_mask_cvtepi32_storeu_epi8(out + j, keep, _mm512_add_epi32(_mm512_cvtps_epi32(f), vz));
    }
#elif defined(KEEL_QUANT_AVXVNNI) || defined(KEEL_QUANT_MADD16)
    const __m256 vlo = _mm256_set1_ps(o.lo), vhi = _mm256_set1_ps(o.hi);
    const __m256i vz = _mm256_set1_epi32(o.yz);
    const __m128i low_bytes = _mm_set1_epi16(0xff);
    for (; j + 8 <= o.cols; j += 8) {
      __m256i m = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + j));
      for (int r = 1; r < o.pool; r++)
        m = _mm256_max_epi32(m, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(t + r * QNR + j)));
      __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(m), _mm256_loadu_ps(o.scale + j));
      f = _mm256_min_ps(_mm256_max_ps(f, vlo), vhi);
      // In [-128, 255]: the low bytes of the int16 pack are the output's bytes.
      const __m256i v = _mm256_add_epi32(_mm256_cvtps_epi32(f), vz);
      const __m128i w16 = _mm_and_si128(
          _mm_packs_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1)), low_bytes);
      _mm_storel_epi64(reinterpret_cast<__m128i*>(out + j), _mm_packus_epi16(w16, w16));
    }
#endif
    for (; j < o.cols; j++) {
      int32_t m = t[j];
      for (int r = 1; r < o.pool; r++) m = std::max(m, t[r * QNR + j]);
      out[j] = requant1(m, o.scale[j], o.lo, o.hi, o.yz);
    }
  }
}

#if defined(KEEL_QUANT_VNNI)
// The 16 accumulators are named variables (KEEL_Q_ROWS), not an array: GCC keeps an array that
// lives across loops of unknown trip count on the stack at the loop boundaries.
#define KEEL_Q_ROWS(X) X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

static void micro(const QTileSource& x, const void* wp, const QTileOut& o) {
  const int8_t* b = static_cast<const int8_t*>(wp);
  // A fused epilogue starts from the column corrections (bias - zero·colsum): wrapping sums in
  // any order give the reference's bits.
  const __mmask16 k0 = o.cols >= 16 ? 0xffff : (1u << o.cols) - 1;
  const __mmask16 k1 = o.cols >= 32 ? 0xffff : o.cols > 16 ? (1u << (o.cols - 16)) - 1 : 0;
  const __m512i c0 = o.corr ? _mm512_maskz_loadu_epi32(k0, o.corr) : _mm512_setzero_si512();
  const __m512i c1 = o.corr ? _mm512_maskz_loadu_epi32(k1, o.corr + 16) : _mm512_setzero_si512();
#define KEEL_Q_INIT(r) __m512i acc##r##0 = c0, acc##r##1 = c1;
  KEEL_Q_ROWS(KEEL_Q_INIT)
#undef KEEL_Q_INIT
  const int64_t stride = x.stride;
  for (int s = 0; s < x.segments; s++) {
    const int64_t off = x.offsets[s];
#define KEEL_Q_PTR(r) const uint8_t* p##r = x.rows[r] + off;
    KEEL_Q_ROWS(KEEL_Q_PTR)
#undef KEEL_Q_PTR
    for (int64_t g = 0; g < x.groups; g++) {
      const __m512i b0 = _mm512_loadu_si512(b);
      const __m512i b1 = _mm512_loadu_si512(b + 64);
      const int64_t at = g * stride;
#define KEEL_Q_DOT(r)                                                              \
  {                                                                                \
    const __m512i x4 = _mm512_set1_epi32(unit(p##r + at));                         \
    acc##r##0 = _mm512_dpbusd_epi32(acc##r##0, x4, b0); /* u8 (x) . s8 (w), 4 per lane */ \
    acc##r##1 = _mm512_dpbusd_epi32(acc##r##1, x4, b1);                            \
  }
      KEEL_Q_ROWS(KEEL_Q_DOT)
#undef KEEL_Q_DOT
      b += 4 * QNR;
    }
  }
  if (!o.y8) {
#define KEEL_Q_STORE(r)                                   \
  _mm512_storeu_si512(o.tile + r * QNR, acc##r##0);      \
  _mm512_storeu_si512(o.tile + r * QNR + 16, acc##r##1);
    KEEL_Q_ROWS(KEEL_Q_STORE)
#undef KEEL_Q_STORE
    return;
  }
  if (o.pool > QMR || (o.pool & (o.pool - 1)) != 0) {  // not 1, 2, 4 or 8 rows: via memory
    alignas(64) int32_t t[QMR * QNR];
#define KEEL_Q_STORE(r)                               \
  _mm512_store_si512(t + r * QNR, acc##r##0);        \
  _mm512_store_si512(t + r * QNR + 16, acc##r##1);
    KEEL_Q_ROWS(KEEL_Q_STORE)
#undef KEEL_Q_STORE
    tile_requant(t, o);
    return;
  }
  // Pooling: the maximum of each window of rows, by halving (row r keeps max(r, r + h)).
#define KEEL_Q_MAX(r, h)                                  \
  acc##r##0 = _mm512_max_epi32(acc##r##0, acc##h##0);    \
  acc##r##1 = _mm512_max_epi32(acc##r##1, acc##h##1);
  if (o.pool >= 2) {
    KEEL_Q_MAX(0, 1) KEEL_Q_MAX(2, 3) KEEL_Q_MAX(4, 5) KEEL_Q_MAX(6, 7)
  }
  if (o.pool >= 4) {
    KEEL_Q_MAX(0, 2) KEEL_Q_MAX(4, 6)
  }
  if (o.pool >= 8) {
    KEEL_Q_MAX(0, 4)
  }
#undef KEEL_Q_MAX
  // f32(f32(acc) * scale), clamped, rounded half to even (cvtps2dq in the default MXCSR mode),
  // plus the zero point; the result lies in the output type's range, so truncating to bytes
  // (vpmovdb) stores it exactly for uint8 and int8.
  const __m512 s0 = _mm512_maskz_loadu_ps(k0, o.scale), s1 = _mm512_maskz_loadu_ps(k1, o.scale + 16);
  const __m512 lo = _mm512_set1_ps(o.lo), hi = _mm512_set1_ps(o.hi);
  const __m512i yz = _mm512_set1_epi32(o.yz);
  const auto requant16 = [&](__m512i acc, __m512 scale, __mmask16 keep, uint8_t* y) {
    __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), scale);
    f = _mm512_min_ps(_mm512_max_ps(f, lo), hi);
    _mm512_mask_cvtepi32_storeu_epi8(y, keep, _mm512_add_epi32(_mm512_cvtps_epi32(f), yz));
  };
#define KEEL_Q_REQUANT(r)                                          \
  if (r % o.pool == 0 && r / o.pool < o.n_out) {                   \
    uint8_t* y = o.y8 + (r / o.pool) * o.ldy;                      \
    requant16(acc##r##0, s0, k0, y);                               \
    if (k1) requant16(acc##r##1, s1, k1, y + 16);                  \
  }
  KEEL_Q_ROWS(KEEL_Q_REQUANT)
#undef KEEL_Q_REQUANT
}
#undef KEEL_Q_ROWS
#elif defined(KEEL_QUANT_AVXVNNI) || defined(KEEL_QUANT_MADD16)
/** acc += the products of one broadcast k group with a weight vector of 8 columns. */
static inline __m256i dot(__m256i acc, __m256i x, __m256i w) {
#if defined(KEEL_QUANT_AVXVNNI)
  return _mm256_dpbusd_avx_epi32(acc, x, w);  // u8 (x) . s8 (w), 4 per lane
#else
  // x0*w0 + x1*w1 per column: |each product| <= 255*128, so the pair sum is exact.
  return _mm256_add_epi32(acc, _mm256_madd_epi16(x, w));
#endif
}

static void micro(const QTileSource& x, const void* wp, const QTileOut& o) {
  const WElem* b = static_cast<const WElem*>(wp);
  __m256i acc[QMR][2];
  alignas(32) int32_t corr[QNR] = {};
  if (o.corr) std::memcpy(corr, o.corr, sizeof(int32_t) * o.cols);
  const __m256i c0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(corr));
  const __m256i c1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(corr + 8));
  for (int r = 0; r < QMR; r++) acc[r][0] = c0, acc[r][1] = c1;
  for (int s = 0; s < x.segments; s++) {
    const uint8_t* p[QMR];
    for (int r = 0; r < QMR; r++) p[r] = x.rows[r] + x.offsets[s];
    for (int64_t g = 0; g < x.groups; g++) {
      const __m256i b0 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b));
      const __m256i b1 = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 8 * QKG));
      const int64_t at = g * x.stride;
      for (int r = 0; r < QMR; r++) {
        const __m256i xg = _mm256_set1_epi32(unit(p[r] + at));
        acc[r][0] = dot(acc[r][0], xg, b0);
        acc[r][1] = dot(acc[r][1], xg, b1);
      }
      b += QKG * QNR;
    }
  }
  if (!o.y8) {
    for (int r = 0; r < QMR; r++) {
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(o.tile + r * QNR), acc[r][0]);
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(o.tile + r * QNR + 8), acc[r][1]);
    }
    return;
  }
  if (o.pool != 1 || o.cols != QNR) {  // pooled or partial: via memory
    alignas(32) int32_t t[QMR * QNR];
    for (int r = 0; r < QMR; r++) {
      _mm256_store_si256(reinterpret_cast<__m256i*>(t + r * QNR), acc[r][0]);
      _mm256_store_si256(reinterpret_cast<__m256i*>(t + r * QNR + 8), acc[r][1]);
    }
    tile_requant(t, o);
    return;
  }
  const __m256 s0 = _mm256_loadu_ps(o.scale), s1 = _mm256_loadu_ps(o.scale + 8);
  const __m256 lo = _mm256_set1_ps(o.lo), hi = _mm256_set1_ps(o.hi);
  const __m256i yz = _mm256_set1_epi32(o.yz);
  const __m128i low_bytes = _mm_set1_epi16(0xff);
  for (int r = 0; r < o.n_out; r++) {
    __m256i q[2];
    for (int c = 0; c < 2; c++) {
      __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc[r][c]), c ? s1 : s0);
      f = _mm256_min_ps(_mm256_max_ps(f, lo), hi);
      q[c] = _mm256_add_epi32(_mm256_cvtps_epi32(f), yz);  // in [-128, 255]: fits int16
    }
    // 16 int32 -> 16 int16 (in order after the lane permute) -> their low bytes.
    const __m256i w16 = _mm256_permute4x64_epi64(_mm256_packs_epi32(q[0], q[1]), 0xd8);
    const __m128i lo8 = _mm_and_si128(_mm256_castsi256_si128(w16), low_bytes);
    const __m128i hi8 = _mm_and_si128(_mm256_extracti128_si256(w16, 1), low_bytes);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(o.y8 + r * o.ldy), _mm_packus_epi16(lo8, hi8));
  }
}
#else
static void micro(const QTileSource& x, const void* wp, const QTileOut& o) {
  const int8_t* b = static_cast<const int8_t*>(wp);
  uint32_t acc[QMR][QNR];  // unsigned: wrapping is defined
  for (int r = 0; r < QMR; r++)
    for (int j = 0; j < QNR; j++)
      acc[r][j] = o.corr && j < o.cols ? static_cast<uint32_t>(o.corr[j]) : 0u;
  for (int s = 0; s < x.segments; s++) {
    const uint8_t* p[QMR];
    for (int r = 0; r < QMR; r++) p[r] = x.rows[r] + x.offsets[s];
    for (int64_t g = 0; g < x.groups; g++) {
      const int64_t at = g * x.stride;
      for (int r = 0; r < QMR; r++) {
        const uint32_t xv = p[r][at];
        for (int j = 0; j < QNR; j++) acc[r][j] += xv * static_cast<uint32_t>(int32_t{b[j]});
      }
      b += QNR;
    }
  }
  int32_t* t = o.y8 ? reinterpret_cast<int32_t*>(acc) : o.tile;
  for (int r = 0; r < QMR; r++)
    for (int j = 0; j < QNR; j++) t[r * QNR + j] = static_cast<int32_t>(acc[r][j]);
  if (o.y8) tile_requant(t, o);
}
#endif

}  // namespace quant
}  // namespace KEEL_ISA
}  // namespace keel

/** The QuantIsa initializer of this ISA (isa/table.h). */
#define KEEL_QUANT_TABLE(ns)                                                             \
  {ns::quant::QMR,    ns::quant::QNR,    ns::quant::QKG,                                \
   static_cast<int>(sizeof(ns::quant::XElem)), ns::quant::kDirect, ns::quant::pack_x,   \
   ns::quant::pack_w, ns::quant::micro}
