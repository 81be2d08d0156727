// One-lane "vector": the portable fallback (and the baseline on non-x86 machines).
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace keel {
namespace scalar {

struct F {
  float v;
};
using M = bool;
constexpr int W = 1;

static inline F load(const float* p) { return {*p}; }
static inline void store(float* p, F a) { *p = a.v; }
static inline F load_partial(const float* p, int n) { return {n > 0 ? *p : 0.0f}; }
static inline void store_partial(float* p, F a, int n) {
  if (n > 0) *p = a.v;
}
static inline F set1(float x) { return {x}; }
static inline F zero() { return {0.0f}; }
static inline F operator+(F a, F b) { return {a.v + b.v}; }
static inline F operator-(F a, F b) { return {a.v - b.v}; }
static inline F operator*(F a, F b) { return {a.v * b.v}; }
static inline F operator/(F a, F b) { return {a.v / b.v}; }
static inline F fma(F a, F b, F c) { return {a.v * b.v + c.v}; }
static inline F max(F a, F b) { return {a.v > b.v ? a.v : b.v}; }
static inline F min(F a, F b) { return {a.v < b.v ? a.v : b.v}; }
static inline F sqrt(F a) { return {std::sqrt(a.v)}; }
static inline F abs(F a) { return {std::fabs(a.v)}; }
static inline F round_even(F a) { return {std::nearbyint(a.v)}; }
static inline F floor(F a) { return {std::floor(a.v)}; }
static inline F ceil(F a) { return {std::ceil(a.v)}; }
static inline M lt(F a, F b) { return a.v < b.v; }
static inline M le(F a, F b) { return a.v <= b.v; }
static inline M gt(F a, F b) { return a.v > b.v; }
static inline M eq(F a, F b) { return a.v == b.v; }
static inline M is_nan(F a) { return a.v != a.v; }
static inline F select(M m, F a, F b) { return m ? a : b; }
static inline F pow2n(F n) {
  uint32_t bits = static_cast<uint32_t>(static_cast<int32_t>(n.v) + 127) << 23;
  float r;
  std::memcpy(&r, &bits, 4);
  return {r};
}
static inline float hsum(F a) { return a.v; }

}  // namespace scalar
}  // namespace keel
