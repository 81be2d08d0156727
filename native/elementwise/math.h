// Vector transcendental functions (Cephes single-precision algorithms), accurate to a few ulp,
// with IEEE behaviour at the edges: exp overflows to Inf, underflows to 0, NaN stays NaN.
#pragma once

namespace keel {
namespace KEEL_ISA {

/** e^x: x = n ln2 + r with |r| <= ln2/2, a degree-6 polynomial for e^r, then 2^n in two halves. */
static inline F exp_v(F x) {
  x = min(set1(89.0f), max(set1(-104.0f), x));  // NaN stays in x (see vec/README.md)
  F n = round_even(x * set1(1.44269504088896341f));
  F r = fma(n, set1(-0.693359375f), x);
  r = fma(n, set1(2.12194440e-4f), r);
  F p = set1(1.9875691500e-4f);
  p = fma(p, r, set1(1.3981999507e-3f));
  p = fma(p, r, set1(8.3334519073e-3f));
  p = fma(p, r, set1(4.1665795894e-2f));
  p = fma(p, r, set1(1.6666665459e-1f));
  p = fma(p, r, set1(5.0000001201e-1f));
  p = fma(p, r * r, r + set1(1.0f));
  // n is in [-150, 129]; splitting it keeps each power of two a normal float.
  F n1 = floor(n * set1(0.5f));
  return p * pow2n(n1) * pow2n(n - n1);
}

/** 1 / (1 + e^-x). */
static inline F sigmoid_v(F x) { return set1(1.0f) / (set1(1.0f) + exp_v(zero() - x)); }

/** tanh: an odd polynomial below |x| = 0.625, 1 - 2 / (e^2|x| + 1) above (no cancellation there). */
static inline F tanh_v(F x) {
  F ax = abs(x);
  F z = x * x;
  F p = set1(-5.70498872745e-3f);
  p = fma(p, z, set1(2.06390887954e-2f));
  p = fma(p, z, set1(-5.37397155531e-2f));
  p = fma(p, z, set1(1.33314422036e-1f));
  p = fma(p, z, set1(-3.33332819422e-1f));
  F small = fma(p * z, x, x);
  F big = set1(1.0f) - set1(2.0f) / (exp_v(ax + ax) + set1(1.0f));
  big = select(lt(x, zero()), zero() - big, big);
  return select(lt(ax, set1(0.625f)), small, big);
}

}  // namespace KEEL_ISA
}  // namespace keel
