// The elementwise pass of one recurrent step for one batch row, written once against native/vec
// and compiled per ISA into isa().rnn (isa/table.h includes this after the ISA's vec header).
// Each pass covers units [j0, j1), W lanes at a time with a partial tail, and is the TypeScript
// kernels' per-element arithmetic in float32 (src/backends/ts/kernels/*.ts).
#pragma once
#include <cstdint>

#include "../elementwise/math.h"
#include "rnn.h"

namespace keel {
namespace KEEL_ISA {
namespace rnn {

static inline F ld(const float* p, int n) { return n == W ? load(p) : load_partial(p, n); }
static inline void st(float* p, F v, int n) {
  if (n == W) store(p, v);
  else store_partial(p, v, n);
}

/** a(v) for an RnnAct code; the switch is on a loop-invariant value, so it predicts perfectly. */
static inline F act(int code, F v) {
  switch (code) {
    case kTanh: return tanh_v(v);
    case kSigmoid: return sigmoid_v(v);
    case kRelu: return max(zero(), v);  // keeps NaN, as Math.max does
    case kLinear: return v;
    case kTfjsHardSigmoid:  // tfjs's and Keras 2's hard_sigmoid: clip(0.2v + 0.5, 0, 1)
      return min(set1(1.0f), max(zero(), v * set1(0.2f) + set1(0.5f)));
    default:  // Keras 3's hard_sigmoid: relu6(v + 3) / 6
      return min(set1(1.0f), max(zero(), v / set1(6.0f) + set1(0.5f)));
  }
}

/** a'(v) written with y = a(v). */
static inline F deriv(int code, F y) {
  const F one = set1(1.0f);
  switch (code) {
    case kTanh: return one - y * y;
    case kSigmoid: return y * (one - y);
    case kRelu: return select(gt(y, zero()), one, zero());
    case kLinear: return one;
    case kTfjsHardSigmoid:
      return select(gt(y, zero()), select(lt(y, one), set1(0.2f), zero()), zero());
    default: return select(gt(y, zero()), select(lt(y, one), set1(1.0f / 6.0f), zero()), zero());
  }
}

/** Calls f(j, n) for vectors of n <= W lanes covering [j0, j1). */
template <class Fn>
static inline void lanes(int64_t j0, int64_t j1, Fn f) {
  for (int64_t j = j0; j < j1; j += W) f(j, j1 - j < W ? static_cast<int>(j1 - j) : W);
}

static void lstm_fwd(const LstmFwdRow& r, int64_t j0, int64_t j1) {
  const int64_t U = r.units;
  lanes(j0, j1, [&](int64_t j, int n) {
    float* z = r.z + j;
    const float* p = r.p + j;
    const float* b = r.bias + j;
    const F i = act(r.ract, ld(z, n) + (ld(p, n) + ld(b, n)));
    const F f = act(r.ract, ld(z + U, n) + (ld(p + U, n) + ld(b + U, n)));
    const F g = act(r.act, ld(z + 2 * U, n) + (ld(p + 2 * U, n) + ld(b + 2 * U, n)));
    const F o = act(r.ract, ld(z + 3 * U, n) + (ld(p + 3 * U, n) + ld(b + 3 * U, n)));
    st(z, i, n);
    st(z + U, f, n);
    st(z + 2 * U, g, n);
    st(z + 3 * U, o, n);
    F c, h, out;
    if (r.valid) {
      c = fma(f, ld(r.c_prev + j, n), i * g);
      h = o * act(r.act, c);
      out = h;
    } else {
      c = ld(r.c_prev + j, n);
      h = ld(r.h_prev + j, n);
      out = zero();
    }
    st(r.c_next + j, c, n);
    st(r.h_next + j, h, n);
    st(r.y + j, out, n);
    st(r.hm_next + j, h * ld(r.rmask + j, n), n);
  });
}

static void lstm_bwd(const LstmBwdRow& r, int64_t j0, int64_t j1) {
  const int64_t U = r.units;
  lanes(j0, j1, [&](int64_t j, int n) {
    float* dz = r.dz + j;
    if (!r.valid) {
      for (int k = 0; k < 4; k++) st(dz + k * U, zero(), n);
      return;
    }
    const float* gt_ = r.gates + j;
    const F i = ld(gt_, n), f = ld(gt_ + U, n), g = ld(gt_ + 2 * U, n), o = ld(gt_ + 3 * U, n);
    const F ac = act(r.act, ld(r.c_next + j, n));
    const F dh = ld(r.dh + j, n) + ld(r.dy + j, n);
    const F dc = ld(r.dc + j, n) + dh * o * deriv(r.act, ac);
    st(dz, dc * g * deriv(r.ract, i), n);
    st(dz + U, dc * ld(r.c_prev + j, n) * deriv(r.ract, f), n);
    st(dz + 2 * U, dc * i * deriv(r.act, g), n);
    st(dz + 3 * U, dh * ac * deriv(r.ract, o), n);
    st(r.dc + j, dc * f, n);
  });
}

static void gru_fwd(const GruFwdRow& r, int64_t j0, int64_t j1) {
  const int64_t U = r.units;
  const F one = set1(1.0f);
  lanes(j0, j1, [&](int64_t j, int n) {
    float* g = r.g + j;
    const float* p = r.p + j;
    const float* b0 = r.b0 + j;
    const float* b1 = r.b1 + j;
    const F z = act(r.ract, (ld(p, n) + ld(b0, n)) + (ld(g, n) + ld(b1, n)));
    const F rr = act(r.ract, (ld(p + U, n) + ld(b0 + U, n)) + (ld(g + U, n) + ld(b1 + U, n)));
    const F rh = ld(g + 2 * U, n) + ld(b1 + 2 * U, n);
    const F hh = act(r.act, (ld(p + 2 * U, n) + ld(b0 + 2 * U, n)) + rr * rh);
    st(g, z, n);
    st(g + U, rr, n);
    st(g + 2 * U, hh, n);
    st(g + 3 * U, rh, n);
    const F hp = ld(r.h_prev + j, n);
    F h, out;
    if (r.valid) {
      h = z * hp + (one - z) * hh;
      out = h;
    } else {
      h = hp;
      out = zero();
    }
    st(r.h_next + j, h, n);
    st(r.y + j, out, n);
    st(r.hm_next + j, h * ld(r.rmask + j, n), n);
  });
}

static void gru_bwd(const GruBwdRow& r, int64_t j0, int64_t j1) {
  const int64_t U = r.units;
  const F one = set1(1.0f);
  lanes(j0, j1, [&](int64_t j, int n) {
    float* dp = r.dp + j;
    float* dr = r.dr + j;
    if (!r.valid) {
      for (int k = 0; k < 3; k++) {
        st(dp + k * U, zero(), n);
        st(dr + k * U, zero(), n);
      }
      return;
    }
    const float* g = r.gates + j;
    const F z = ld(g, n), rr = ld(g + U, n), hh = ld(g + 2 * U, n), rh = ld(g + 3 * U, n);
    const F dh = ld(r.dh + j, n) + ld(r.dy + j, n);
    const F dah = dh * (one - z) * deriv(r.act, hh);
    const F daz = dh * (ld(r.h_prev + j, n) - hh) * deriv(r.ract, z);
    const F dar = dah * rh * deriv(r.ract, rr);
    st(dp, daz, n);
    st(dp + U, dar, n);
    st(dp + 2 * U, dah, n);
    st(dr, daz, n);
    st(dr + U, dar, n);
    st(dr + 2 * U, dah * rr, n);
    st(r.dh + j, dh * z, n);
  });
}

static void simple_fwd(const SimpleFwdRow& r, int64_t j0, int64_t j1) {
  lanes(j0, j1, [&](int64_t j, int n) {
    F h, out;
    if (r.valid) {
      h = act(r.act, ld(r.h_next + j, n) + (ld(r.p + j, n) + ld(r.bias + j, n)));
      out = h;
    } else {
      h = ld(r.h_prev + j, n);
      out = zero();
    }
    st(r.h_next + j, h, n);
    st(r.y + j, out, n);
    st(r.hm_next + j, h * ld(r.rmask + j, n), n);
  });
}

static void simple_bwd(const SimpleBwdRow& r, int64_t j0, int64_t j1) {
  lanes(j0, j1, [&](int64_t j, int n) {
    const F da = r.valid ? (ld(r.dh + j, n) + ld(r.dy + j, n)) * deriv(r.act, ld(r.h_next + j, n))
                         : zero();
    st(r.da + j, da, n);
  });
}

}  // namespace rnn
}  // namespace KEEL_ISA
}  // namespace keel
