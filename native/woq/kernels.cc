// The weight-only kernels of kernels.h, one per ISA in this file (GCC target attributes), chosen
// at run time by the ISA in use (keel::isa(), which KEEL_ISA and the tests switch).
//   avx512vnni: vpdpbusd on zmm, x + 128 as unsigned bytes, 128 · colsum taken off afterwards;
//   avxvnni:    the VEX vpdpbusd on two ymm per block, the same offset trick;
//   avx2:       vpmaddubsw on |w| and x with w's sign (both within ±127, so the int16 pair sums
//               stay below 32767 and never saturate), then vpmaddwd by ones;
//   portable:   the same integer sums in C++.
// int4 nibbles are unpacked to int8 in registers (and 15, shift, minus 8). Integer sums are exact;
// the float epilogue (scales, bias) is per output and may round differently by an ulp where the
// compiler fuses a multiply-add.
#include "kernels.h"

#include <cmath>
#include <cstring>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define KEEL_WOQ_X86 1
#endif

namespace keel {
namespace woq {
namespace {

inline int32_t load_i32(const int8_t* p) {
  int32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// The float epilogue of one row and block: y = acc·(xs·scale) + bias for int8, facc·xs + bias
// for int4, written for the block's valid outputs only.
inline void store_block(const Problem& p, int64_t row, int64_t block, const float* v) {
  const int64_t j0 = block * kBlock;
  const int64_t n = p.N - j0 < kBlock ? p.N - j0 : kBlock;
  float* y = p.y + row * p.N + j0;
  for (int64_t o = 0; o < n; o++) y[o] = p.bias ? v[o] + p.bias[j0 + o] : v[o];
}

void blocks_portable(const Problem& p, int64_t begin, int64_t end) {
  const int64_t blocks = (p.N + kBlock - 1) / kBlock;
  for (int64_t item = begin; item < end; item++) {
    const int64_t row = item / blocks, b = item % blocks;
    const int8_t* x = p.xq + row * p.Kp;
    const float xs = p.xscale[row];
    float out[kBlock];
    if (p.bits == 8) {
      const int8_t* w = reinterpret_cast<const int8_t*>(p.w) + b * p.Kp * kBlock;
      int32_t acc[kBlock] = {};
      for (int64_t s = 0; s < p.Kp / 4; s++)
        for (int o = 0; o < kBlock; o++)
          for (int q = 0; q < 4; q++) acc[o] += x[4 * s + q] * w[(s * kBlock + o) * 4 + q];
      for (int o = 0; o < kBlock; o++) {
        const float m = xs * p.scale[b * kBlock + o];
        out[o] = static_cast<float>(acc[o]) * m;
      }
    } else {
      const uint8_t* w = p.w + b * (p.Kp / 2) * kBlock;
      float facc[kBlock] = {};
      for (int64_t g = 0; g < p.groups; g++) {
        int32_t acc[kBlock] = {};
        for (int64_t s = g * p.G / 8; s < (g + 1) * p.G / 8; s++)
          for (int o = 0; o < kBlock; o++)
            for (int q = 0; q < 4; q++) {
              const uint8_t byte = w[(s * kBlock + o) * 4 + q];
              acc[o] += x[8 * s + q] * ((byte & 15) - 8) + x[8 * s + 4 + q] * ((byte >> 4) - 8);
            }
        const float* gs = p.scale + (b * p.groups + g) * kBlock;
        for (int o = 0; o < kBlock; o++) facc[o] += static_cast<float>(acc[o]) * gs[o];
      }
      for (int o = 0; o < kBlock; o++) out[o] = facc[o] * xs;
    }
    store_block(p, row, b, out);
  }
}

#ifdef KEEL_WOQ_X86
#define KEEL_WOQ_512 __attribute__((target("avx512f,avx512bw,avx512vnni")))

// x + 128 as unsigned bytes (4 at a time, broadcast), so vpdpbusd (u8 x s8) applies.
KEEL_WOQ_512 inline __m512i bcast_u(const int8_t* x) {
  return _mm512_set1_epi32(load_i32(x) ^ static_cast<int32_t>(0x80808080u));
}

KEEL_WOQ_512 void blocks_vnni512(const Problem& p, int64_t begin, int64_t end) {
  const int64_t blocks = (p.N + kBlock - 1) / kBlock;
  const __m512i off = _mm512_set1_epi32(128);
  for (int64_t item = begin; item < end; item++) {
    const int64_t row = item / blocks, b = item % blocks;
    const int8_t* x = p.xq + row * p.Kp;
    const __m512 xs = _mm512_set1_ps(p.xscale[row]);
    alignas(64) float out[kBlock];
    if (p.bits == 8) {
      const uint8_t* w = p.w + b * p.Kp * kBlock;
      __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
      const int64_t S = p.Kp / 4;
      int64_t s = 0;
      for (; s + 4 <= S; s += 4) {
        a0 = _mm512_dpbusd_epi32(a0, bcast_u(x + 4 * s), _mm512_loadu_si512(w + 64 * s));
        a1 = _mm512_dpbusd_epi32(a1, bcast_u(x + 4 * s + 4), _mm512_loadu_si512(w + 64 * s + 64));
        a2 = _mm512_dpbusd_epi32(a2, bcast_u(x + 4 * s + 8), _mm512_loadu_si512(w + 64 * s + 128));
        a3 = _mm512_dpbusd_epi32(a3, bcast_u(x + 4 * s + 12), _mm512_loadu_si512(w + 64 * s + 192));
      }
      for (; s < S; s++)
        a0 = _mm512_dpbusd_epi32(a0, bcast_u(x + 4 * s), _mm512_loadu_si512(w + 64 * s));
      __m512i acc = _mm512_add_epi32(_mm512_add_epi32(a0, a1), _mm512_add_epi32(a2, a3));
      const __m512i cs = _mm512_loadu_si512(p.colsum + b * kBlock);
      acc = _mm512_sub_epi32(acc, _mm512_mullo_epi32(cs, off));
      const __m512 m = _mm512_mul_ps(xs, _mm512_loadu_ps(p.scale + b * kBlock));
      _mm512_store_ps(out, _mm512_mul_ps(_mm512_cvtepi32_ps(acc), m));
    } else {
      const uint8_t* w = p.w + b * (p.Kp / 2) * kBlock;
      const __m512i low = _mm512_set1_epi8(15), eight = _mm512_set1_epi8(8);
      __m512 facc = _mm512_setzero_ps();
      for (int64_t g = 0; g < p.groups; g++) {
        __m512i a0 = _mm512_setzero_si512(), a1 = a0;
        for (int64_t s = g * p.G / 8; s < (g + 1) * p.G / 8; s++) {
          const __m512i v = _mm512_loadu_si512(w + 64 * s);
          const __m512i lo = _mm512_sub_epi8(_mm512_and_si512(v, low), eight);
          const __m512i hi = _mm512_sub_epi8(_mm512_and_si512(_mm512_srli_epi16(v, 4), low), eight);
          a0 = _mm512_dpbusd_epi32(a0, bcast_u(x + 8 * s), lo);
          a1 = _mm512_dpbusd_epi32(a1, bcast_u(x + 8 * s + 4), hi);
        }
        const int64_t at = (b * p.groups + g) * kBlock;
        const __m512i cs = _mm512_loadu_si512(p.colsum + at);
        const __m512i acc = _mm512_sub_epi32(_mm512_add_epi32(a0, a1), _mm512_mullo_epi32(cs, off));
        facc = _mm512_add_ps(facc, _mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_loadu_ps(p.scale + at)));
      }
      _mm512_store_ps(out, _mm512_mul_ps(facc, xs));
    }
    store_block(p, row, b, out);
  }
}

#define KEEL_WOQ_256V __attribute__((target("avx2,avxvnni")))

KEEL_WOQ_256V inline __m256i bcast_u256(const int8_t* x) {
  return _mm256_set1_epi32(load_i32(x) ^ static_cast<int32_t>(0x80808080u));
}

// The 16 outputs of a block as two ymm halves (outputs 0-7 in the first 32 bytes of each 64).
KEEL_WOQ_256V void blocks_vnni256(const Problem& p, int64_t begin, int64_t end) {
  const int64_t blocks = (p.N + kBlock - 1) / kBlock;
  const __m256i off = _mm256_set1_epi32(128);
  for (int64_t item = begin; item < end; item++) {
    const int64_t row = item / blocks, b = item % blocks;
    const int8_t* x = p.xq + row * p.Kp;
    const __m256 xs = _mm256_set1_ps(p.xscale[row]);
    alignas(32) float out[kBlock];
    if (p.bits == 8) {
      const uint8_t* w = p.w + b * p.Kp * kBlock;
      __m256i l0 = _mm256_setzero_si256(), h0 = l0, l1 = l0, h1 = l0;
      const int64_t S = p.Kp / 4;
      int64_t s = 0;
      for (; s + 2 <= S; s += 2) {
        const __m256i x0 = bcast_u256(x + 4 * s), x1 = bcast_u256(x + 4 * s + 4);
        const uint8_t* ws = w + 64 * s;
        l0 = _mm256_dpbusd_avx_epi32(l0, x0, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ws)));
        h0 = _mm256_dpbusd_avx_epi32(h0, x0, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ws + 32)));
        l1 = _mm256_dpbusd_avx_epi32(l1, x1, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ws + 64)));
        h1 = _mm256_dpbusd_avx_epi32(h1, x1, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ws + 96)));
      }
      for (; s < S; s++) {
        const __m256i x0 = bcast_u256(x + 4 * s);
        const uint8_t* ws = w + 64 * s;
        l0 = _mm256_dpbusd_avx_epi32(l0, x0, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ws)));
        h0 = _mm256_dpbusd_avx_epi32(h0, x0, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ws + 32)));
      }
      const int32_t* cs = p.colsum + b * kBlock;
      const float* sc = p.scale + b * kBlock;
      const __m256i lo = _mm256_sub_epi32(_mm256_add_epi32(l0, l1),
          _mm256_mullo_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(cs)), off));
      const __m256i hi = _mm256_sub_epi32(_mm256_add_epi32(h0, h1),
          _mm256_mullo_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(cs + 8)), off));
      _mm256_store_ps(out, _mm256_mul_ps(_mm256_cvtepi32_ps(lo), _mm256_mul_ps(xs, _mm256_loadu_ps(sc))));
      _mm256_store_ps(out + 8, _mm256_mul_ps(_mm256_cvtepi32_ps(hi), _mm256_mul_ps(xs, _mm256_loadu_ps(sc + 8))));
    } else {
      const uint8_t* w = p.w + b * (p.Kp / 2) * kBlock;
      const __m256i low = _mm256_set1_epi8(15), eight = _mm256_set1_epi8(8);
      __m256 flo = _mm256_setzero_ps(), fhi = flo;
      for (int64_t g = 0; g < p.groups; g++) {
        __m256i al = _mm256_setzero_si256(), ah = al;
        for (int64_t s = g * p.G / 8; s < (g + 1) * p.G / 8; s++) {
          const __m256i x0 = bcast_u256(x + 8 * s), x1 = bcast_u256(x + 8 * s + 4);
          for (int half = 0; half < 2; half++) {
            const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 64 * s + 32 * half));
            const __m256i lo = _mm256_sub_epi8(_mm256_and_si256(v, low), eight);
            const __m256i hi = _mm256_sub_epi8(_mm256_and_si256(_mm256_srli_epi16(v, 4), low), eight);
            __m256i& a = half ? ah : al;
            a = _mm256_dpbusd_avx_epi32(a, x0, lo);
            a = _mm256_dpbusd_avx_epi32(a, x1, hi);
          }
        }
        const int64_t at = (b * p.groups + g) * kBlock;
        const __m256i cl = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.colsum + at));
        const __m256i ch = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p.colsum + at + 8));
        al = _mm256_sub_epi32(al, _mm256_mullo_epi32(cl, off));
        ah = _mm256_sub_epi32(ah, _mm256_mullo_epi32(ch, off));
        flo = _mm256_add_ps(flo, _mm256_mul_ps(_mm256_cvtepi32_ps(al), _mm256_loadu_ps(p.scale + at)));
        fhi = _mm256_add_ps(fhi, _mm256_mul_ps(_mm256_cvtepi32_ps(ah), _mm256_loadu_ps(p.scale + at + 8)));
      }
      _mm256_store_ps(out, _mm256_mul_ps(flo, xs));
      _mm256_store_ps(out + 8, _mm256_mul_ps(fhi, xs));
    }
    store_block(p, row, b, out);
  }
}

#define KEEL_WOQ_AVX2 __attribute__((target("avx2")))

// Σ x·w over 4 k per int32 lane: |w| (unsigned) times x carrying w's sign; both within ±127.
KEEL_WOQ_AVX2 inline __m256i dot4(__m256i acc, __m256i xb, __m256i w, __m256i ones) {
  const __m256i p16 = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(xb, w));
  return _mm256_add_epi32(acc, _mm256_madd_epi16(p16, ones));
}

KEEL_WOQ_AVX2 void blocks_avx2(const Problem& p, int64_t begin, int64_t end) {
  const int64_t blocks = (p.N + kBlock - 1) / kBlock;
  const __m256i ones = _mm256_set1_epi16(1);
  for (int64_t item = begin; item < end; item++) {
    const int64_t row = item / blocks, b = item % blocks;
    const int8_t* x = p.xq + row * p.Kp;
    const __m256 xs = _mm256_set1_ps(p.xscale[row]);
    alignas(32) float out[kBlock];
    if (p.bits == 8) {
      const uint8_t* w = p.w + b * p.Kp * kBlock;
      __m256i lo = _mm256_setzero_si256(), hi = lo;
      for (int64_t s = 0; s < p.Kp / 4; s++) {
        const __m256i xb = _mm256_set1_epi32(load_i32(x + 4 * s));
        lo = dot4(lo, xb, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 64 * s)), ones);
        hi = dot4(hi, xb, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 64 * s + 32)), ones);
      }
      const float* sc = p.scale + b * kBlock;
      _mm256_store_ps(out, _mm256_mul_ps(_mm256_cvtepi32_ps(lo), _mm256_mul_ps(xs, _mm256_loadu_ps(sc))));
      _mm256_store_ps(out + 8, _mm256_mul_ps(_mm256_cvtepi32_ps(hi), _mm256_mul_ps(xs, _mm256_loadu_ps(sc + 8))));
    } else {
      const uint8_t* w = p.w + b * (p.Kp / 2) * kBlock;
      const __m256i low = _mm256_set1_epi8(15), eight = _mm256_set1_epi8(8);
      __m256 flo = _mm256_setzero_ps(), fhi = flo;
      for (int64_t g = 0; g < p.groups; g++) {
        __m256i al = _mm256_setzero_si256(), ah = al;
        for (int64_t s = g * p.G / 8; s < (g + 1) * p.G / 8; s++) {
          const __m256i x0 = _mm256_set1_epi32(load_i32(x + 8 * s));
          const __m256i x1 = _mm256_set1_epi32(load_i32(x + 8 * s + 4));
          for (int half = 0; half < 2; half++) {
            const __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 64 * s + 32 * half));
            __m256i& a = half ? ah : al;
            a = dot4(a, x0, _mm256_sub_epi8(_mm256_and_si256(v, low), eight), ones);
            a = dot4(a, x1, _mm256_sub_epi8(_mm256_and_si256(_mm256_srli_epi16(v, 4), low), eight), ones);
          }
        }
        const int64_t at = (b * p.groups + g) * kBlock;
        flo = _mm256_add_ps(flo, _mm256_mul_ps(_mm256_cvtepi32_ps(al), _mm256_loadu_ps(p.scale + at)));
        fhi = _mm256_add_ps(fhi, _mm256_mul_ps(_mm256_cvtepi32_ps(ah), _mm256_loadu_ps(p.scale + at + 8)));
      }
      _mm256_store_ps(out, _mm256_mul_ps(flo, xs));
      _mm256_store_ps(out + 8, _mm256_mul_ps(fhi, xs));
    }
    store_block(p, row, b, out);
  }
}
#endif

}  // namespace

void quantize_row(const float* x, int64_t K, int64_t Kp, int8_t* q, float* scale) {
  float amax = 0;
  for (int64_t k = 0; k < K; k++) amax = std::fmax(amax, std::fabs(x[k]));
  const float s = amax / 127.0f;
  *scale = s;
  for (int64_t k = 0; k < Kp; k++) {
    if (k >= K || s == 0) {
      q[k] = 0;
      continue;
    }
    float r = std::nearbyint(x[k] / s);
    r = r > 127 ? 127 : r < -127 ? -127 : r;
    q[k] = static_cast<int8_t>(r);
  }
}

BlocksFn blocks_for(const char* name) {
#ifdef KEEL_WOQ_X86
  if (std::strcmp(name, "avx512vnni") == 0) return blocks_vnni512;
  if (std::strcmp(name, "avxvnni") == 0) return blocks_vnni256;
  if (std::strcmp(name, "avx2") == 0 || std::strcmp(name, "avx512") == 0) return blocks_avx2;
#endif
  (void)name;
  return blocks_portable;
}

const char* path_for(const char* name) {
  const BlocksFn f = blocks_for(name);
#ifdef KEEL_WOQ_X86
  if (f == blocks_vnni512) return "avx512vnni";
  if (f == blocks_vnni256) return "avxvnni";
  if (f == blocks_avx2) return "avx2";
#endif
  return "portable";
}

}  // namespace woq
}  // namespace keel
