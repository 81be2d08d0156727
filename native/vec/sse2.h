// 4 lanes of SSE2: the x86-64 baseline every such CPU has.
#pragma once
#include <emmintrin.h>

namespace keel {
namespace sse2 {

struct F {
  __m128 v;
};
struct M {
  __m128 v;
};
constexpr int W = 4;

static inline F load(const float* p) { return {_mm_loadu_ps(p)}; }
static inline void store(float* p, F a) { _mm_storeu_ps(p, a.v); }
static inline F load_partial(const float* p, int n) {
  alignas(16) float t[4] = {0, 0, 0, 0};
  for (int i = 0; i < n; i++) t[i] = p[i];
  return {_mm_load_ps(t)};
}
static inline void store_partial(float* p, F a, int n) {
  alignas(16) float t[4];
  _mm_store_ps(t, a.v);
  for (int i = 0; i < n; i++) p[i] = t[i];
}
static inline F set1(float x) { return {_mm_set1_ps(x)}; }
static inline F zero() { return {_mm_setzero_ps()}; }
static inline F operator+(F a, F b) { return {_mm_add_ps(a.v, b.v)}; }
static inline F operator-(F a, F b) { return {_mm_sub_ps(a.v, b.v)}; }
static inline F operator*(F a, F b) { return {_mm_mul_ps(a.v, b.v)}; }
static inline F operator/(F a, F b) { return {_mm_div_ps(a.v, b.v)}; }
static inline F fma(F a, F b, F c) { return {_mm_add_ps(_mm_mul_ps(a.v, b.v), c.v)}; }
static inline F max(F a, F b) { return {_mm_max_ps(a.v, b.v)}; }
static inline F min(F a, F b) { return {_mm_min_ps(a.v, b.v)}; }
static inline F sqrt(F a) { return {_mm_sqrt_ps(a.v)}; }
static inline F abs(F a) { return {_mm_andnot_ps(_mm_set1_ps(-0.0f), a.v)}; }
static inline M lt(F a, F b) { return {_mm_cmplt_ps(a.v, b.v)}; }
static inline M le(F a, F b) { return {_mm_cmple_ps(a.v, b.v)}; }
static inline M gt(F a, F b) { return {_mm_cmpgt_ps(a.v, b.v)}; }
static inline M eq(F a, F b) { return {_mm_cmpeq_ps(a.v, b.v)}; }
static inline M is_nan(F a) { return {_mm_cmpunord_ps(a.v, a.v)}; }
static inline F select(M m, F a, F b) {
  return {_mm_or_ps(_mm_and_ps(m.v, a.v), _mm_andnot_ps(m.v, b.v))};
}
// SSE2 has no round instruction: convert to int32 (round to nearest even, the default mode) and
// back, keeping lanes that are already integers (|x| >= 2^23), infinite or NaN.
static inline F round_even(F a) {
  F r = {_mm_cvtepi32_ps(_mm_cvtps_epi32(a.v))};
  return select(lt(abs(a), set1(8388608.0f)), r, a);
}
static inline F floor(F a) {
  F r = round_even(a);
  return r - select(gt(r, a), set1(1.0f), zero());
}
static inline F ceil(F a) {
  F r = round_even(a);
  return r + select(lt(r, a), set1(1.0f), zero());
}
static inline F pow2n(F n) {
  __m128i e = _mm_add_epi32(_mm_cvttps_epi32(n.v), _mm_set1_epi32(127));
  return {_mm_castsi128_ps(_mm_slli_epi32(e, 23))};
}
static inline float hsum(F a) {
  __m128 s = _mm_add_ps(a.v, _mm_movehl_ps(a.v, a.v));
  s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 1));
  return _mm_cvtss_f32(s);
}

}  // namespace sse2
}  // namespace keel
