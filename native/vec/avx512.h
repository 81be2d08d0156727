// 16 lanes of AVX-512F (Skylake-SP, Ice Lake, Zen 4 and later). Compiled only into isa/avx512.cc.
#pragma once
#include <immintrin.h>

namespace keel {
namespace avx512 {

struct F {
  __m512 v;
};
struct M {
  __mmask16 v;
};
constexpr int W = 16;

static inline F load(const float* p) { return {_mm512_loadu_ps(p)}; }
static inline void store(float* p, F a) { _mm512_storeu_ps(p, a.v); }
static inline __mmask16 tail_mask(int n) { return static_cast<__mmask16>((1u << n) - 1u); }
static inline F load_partial(const float* p, int n) {
  return {_mm512_maskz_loadu_ps(tail_mask(n), p)};
}
static inline void store_partial(float* p, F a, int n) {
  _mm512_mask_storeu_ps(p, tail_mask(n), a.v);
}
static inline F set1(float x) { return {_mm512_set1_ps(x)}; }
static inline F zero() { return {_mm512_setzero_ps()}; }
static inline F operator+(F a, F b) { return {_mm512_add_ps(a.v, b.v)}; }
static inline F operator-(F a, F b) { return {_mm512_sub_ps(a.v, b.v)}; }
static inline F operator*(F a, F b) { return {_mm512_mul_ps(a.v, b.v)}; }
static inline F operator/(F a, F b) { return {_mm512_div_ps(a.v, b.v)}; }
static inline F fma(F a, F b, F c) { return {_mm512_fmadd_ps(a.v, b.v, c.v)}; }
static inline F max(F a, F b) { return {_mm512_max_ps(a.v, b.v)}; }
static inline F min(F a, F b) { return {_mm512_min_ps(a.v, b.v)}; }
static inline F sqrt(F a) { return {_mm512_sqrt_ps(a.v)}; }
static inline F abs(F a) { return {_mm512_abs_ps(a.v)}; }
static inline F round_even(F a) {
  return {_mm512_roundscale_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)};
}
static inline F floor(F a) {
  return {_mm512_roundscale_ps(a.v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)};
}
static inline F ceil(F a) {
  return {_mm512_roundscale_ps(a.v, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC)};
}
static inline M lt(F a, F b) { return {_mm512_cmp_ps_mask(a.v, b.v, _CMP_LT_OQ)}; }
static inline M le(F a, F b) { return {_mm512_cmp_ps_mask(a.v, b.v, _CMP_LE_OQ)}; }
static inline M gt(F a, F b) { return {_mm512_cmp_ps_mask(a.v, b.v, _CMP_GT_OQ)}; }
static inline M eq(F a, F b) { return {_mm512_cmp_ps_mask(a.v, b.v, _CMP_EQ_OQ)}; }
static inline M is_nan(F a) { return {_mm512_cmp_ps_mask(a.v, a.v, _CMP_UNORD_Q)}; }
static inline F select(M m, F a, F b) { return {_mm512_mask_blend_ps(m.v, b.v, a.v)}; }
static inline F pow2n(F n) {
  __m512i e = _mm512_add_epi32(_mm512_cvttps_epi32(n.v), _mm512_set1_epi32(127));
  return {_mm512_castsi512_ps(_mm512_slli_epi32(e, 23))};
}
static inline float hsum(F a) { return _mm512_reduce_add_ps(a.v); }

}  // namespace avx512
}  // namespace keel
