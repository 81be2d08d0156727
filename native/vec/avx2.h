// 8 lanes of AVX2 with FMA (Haswell, Zen and later). Compiled only into isa/avx2.cc.
#pragma once
#include <immintrin.h>

namespace keel {
namespace avx2 {

struct F {
  __m256 v;
};
struct M {
  __m256 v;
};
constexpr int W = 8;

static inline F load(const float* p) { return {_mm256_loadu_ps(p)}; }
static inline void store(float* p, F a) { _mm256_storeu_ps(p, a.v); }
static inline __m256i tail_mask(int n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}
static inline F load_partial(const float* p, int n) {
  return {_mm256_maskload_ps(p, tail_mask(n))};
}
static inline void store_partial(float* p, F a, int n) { _mm256_maskstore_ps(p, tail_mask(n), a.v); }
static inline F set1(float x) { return {_mm256_set1_ps(x)}; }
static inline F zero() { return {_mm256_setzero_ps()}; }
static inline F operator+(F a, F b) { return {_mm256_add_ps(a.v, b.v)}; }
static inline F operator-(F a, F b) { return {_mm256_sub_ps(a.v, b.v)}; }
static inline F operator*(F a, F b) { return {_mm256_mul_ps(a.v, b.v)}; }
static inline F operator/(F a, F b) { return {_mm256_div_ps(a.v, b.v)}; }
static inline F fma(F a, F b, F c) { return {_mm256_fmadd_ps(a.v, b.v, c.v)}; }
static inline F max(F a, F b) { return {_mm256_max_ps(a.v, b.v)}; }
static inline F min(F a, F b) { return {_mm256_min_ps(a.v, b.v)}; }
static inline F sqrt(F a) { return {_mm256_sqrt_ps(a.v)}; }
static inline F abs(F a) { return {_mm256_andnot_ps(_mm256_set1_ps(-0.0f), a.v)}; }
static inline F round_even(F a) {
  return {_mm256_round_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)};
}
static inline F floor(F a) { return {_mm256_round_ps(a.v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)}; }
static inline F ceil(F a) { return {_mm256_round_ps(a.v, _MM_FROUND_TO_POS_INF | _MM_FROUND_NO_EXC)}; }
static inline M lt(F a, F b) { return {_mm256_cmp_ps(a.v, b.v, _CMP_LT_OQ)}; }
static inline M le(F a, F b) { return {_mm256_cmp_ps(a.v, b.v, _CMP_LE_OQ)}; }
static inline M gt(F a, F b) { return {_mm256_cmp_ps(a.v, b.v, _CMP_GT_OQ)}; }
static inline M eq(F a, F b) { return {_mm256_cmp_ps(a.v, b.v, _CMP_EQ_OQ)}; }
static inline M is_nan(F a) { return {_mm256_cmp_ps(a.v, a.v, _CMP_UNORD_Q)}; }
static inline F select(M m, F a, F b) { return {_mm256_blendv_ps(b.v, a.v, m.v)}; }
static inline F pow2n(F n) {
  __m256i e = _mm256_add_epi32(_mm256_cvttps_epi32(n.v), _mm256_set1_epi32(127));
  return {_mm256_castsi256_ps(_mm256_slli_epi32(e, 23))};
}
static inline float hsum(F a) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(a.v), _mm256_extractf128_ps(a.v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

}  // namespace avx2
}  // namespace keel
