// Elementwise and reduction kernels for one ISA (included by isa/*.cc inside keel::KEEL_ISA).
// Ops with a vector form run W lanes at a time with a partial tail; the rest (log, sin, erf, ...)
// call the C library in double precision per element, which is what the TypeScript backend does.
#pragma once
#include <cmath>
#include <cstdint>

#include "math.h"
#include "ops.h"

namespace keel {
namespace KEEL_ISA {

/** y[i] = f(x[i]) with f a vector lambda, W lanes at a time plus a partial tail. */
template <class Fn>
static inline void map1(const float* x, float* y, int64_t n, Fn f) {
  int64_t i = 0;
  for (; i + W <= n; i += W) store(y + i, f(load(x + i)));
  if (i < n) store_partial(y + i, f(load_partial(x + i, static_cast<int>(n - i))), static_cast<int>(n - i));
}

/** y[i] = f(double x[i]) rounded to float. */
template <class Fn>
static inline void map1_scalar(const float* x, float* y, int64_t n, Fn f) {
  for (int64_t i = 0; i < n; i++) y[i] = static_cast<float>(f(static_cast<double>(x[i])));
}

static double erf_d(double v) { return std::erf(v); }

static void unary(int op, const float* x, float* y, int64_t n, float alpha, float beta) {
  const F one = set1(1.0f);
  switch (static_cast<UnaryOp>(op)) {
    case UnaryOp::neg: return map1(x, y, n, [](F v) { return v * set1(-1.0f); });
    case UnaryOp::abs: return map1(x, y, n, [](F v) { return abs(v); });
    case UnaryOp::exp: return map1(x, y, n, [](F v) { return exp_v(v); });
    case UnaryOp::sqrt: return map1(x, y, n, [](F v) { return sqrt(v); });
    case UnaryOp::rsqrt: return map1(x, y, n, [&](F v) { return one / sqrt(v); });
    case UnaryOp::square: return map1(x, y, n, [](F v) { return v * v; });
    case UnaryOp::reciprocal: return map1(x, y, n, [&](F v) { return one / v; });
    case UnaryOp::tanh: return map1(x, y, n, [](F v) { return tanh_v(v); });
    case UnaryOp::sigmoid: return map1(x, y, n, [](F v) { return sigmoid_v(v); });
    case UnaryOp::silu: return map1(x, y, n, [](F v) { return v * sigmoid_v(v); });
    // max(lo, v) keeps a NaN v (vec/README.md), as Math.max does.
    case UnaryOp::relu: return map1(x, y, n, [](F v) { return max(zero(), v); });
    case UnaryOp::relu6:
      return map1(x, y, n, [](F v) { return min(set1(6.0f), max(zero(), v)); });
    case UnaryOp::clip:
      return map1(x, y, n, [&](F v) { return min(set1(beta), max(set1(alpha), v)); });
    case UnaryOp::step:
      return map1(x, y, n, [&](F v) { return select(gt(v, zero()), one, zero()); });
    case UnaryOp::leakyRelu:
      return map1(x, y, n, [&](F v) { return select(gt(v, zero()), v, v * set1(alpha)); });
    case UnaryOp::floor: return map1(x, y, n, [](F v) { return floor(v); });
    case UnaryOp::ceil: return map1(x, y, n, [](F v) { return ceil(v); });
    case UnaryOp::round: return map1(x, y, n, [](F v) { return round_even(v); });
    case UnaryOp::sign:
      return map1_scalar(x, y, n, [](double v) { return v > 0 ? 1.0 : v < 0 ? -1.0 : v; });
    case UnaryOp::log: return map1_scalar(x, y, n, [](double v) { return std::log(v); });
    case UnaryOp::log1p: return map1_scalar(x, y, n, [](double v) { return std::log1p(v); });
    case UnaryOp::expm1: return map1_scalar(x, y, n, [](double v) { return std::expm1(v); });
    case UnaryOp::sin: return map1_scalar(x, y, n, [](double v) { return std::sin(v); });
    case UnaryOp::cos: return map1_scalar(x, y, n, [](double v) { return std::cos(v); });
    case UnaryOp::softplus:
      return map1_scalar(x, y, n, [](double v) {
        return (v > 0 ? v : 0.0) + std::log1p(std::exp(-std::fabs(v)));
      });
    case UnaryOp::geluTanh:
      return map1_scalar(x, y, n, [](double v) {
        return 0.5 * v * (1 + std::tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
      });
    case UnaryOp::elu: {
      const double a = alpha;
      return map1_scalar(x, y, n, [a](double v) { return v > 0 ? v : a * std::expm1(v); });
    }
    case UnaryOp::erf: return map1_scalar(x, y, n, erf_d);
    case UnaryOp::gelu:
      return map1_scalar(x, y, n,
                         [](double v) { return 0.5 * v * (1 + std::erf(v * 0.7071067811865476)); });
    default: return;
  }
}

/** y[i] = f(a[i*SA], b[i*SB]) for SA, SB in {0, 1}: both walking, or one broadcast. */
template <int SA, int SB, class Fn>
static inline void map2(const float* a, const float* b, float* y, int64_t n, Fn f) {
  const F a0 = SA ? zero() : set1(a[0]);
  const F b0 = SB ? zero() : set1(b[0]);
  int64_t i = 0;
  for (; i + W <= n; i += W) store(y + i, f(SA ? load(a + i) : a0, SB ? load(b + i) : b0));
  if (i < n) {
    const int r = static_cast<int>(n - i);
    store_partial(y + i, f(SA ? load_partial(a + i, r) : a0, SB ? load_partial(b + i, r) : b0), r);
  }
}

template <class Fn>
static inline void map2_any(const float* a, int64_t sa, const float* b, int64_t sb, float* y,
                            int64_t n, Fn f) {
  if (sa && sb) map2<1, 1>(a, b, y, n, f);
  else if (sa) map2<1, 0>(a, b, y, n, f);
  else if (sb) map2<0, 1>(a, b, y, n, f);
  else map2<0, 0>(a, b, y, n, f);
}

template <class Fn>
static inline void map2_scalar(const float* a, int64_t sa, const float* b, int64_t sb, float* y,
                               int64_t n, Fn f) {
  for (int64_t i = 0; i < n; i++)
    y[i] = static_cast<float>(f(static_cast<double>(a[i * sa]), static_cast<double>(b[i * sb])));
}

/** JavaScript's `**`: unlike C's pow, 1 ** NaN and (+-1) ** +-Inf are NaN. */
static double js_pow(double u, double v) {
  if (v != v || (std::isinf(v) && std::fabs(u) == 1.0)) return NAN;
  return std::pow(u, v);
}

static void binary(int op, const float* a, int64_t sa, const float* b, int64_t sb, float* y,
                   int64_t n) {
  switch (static_cast<BinaryOp>(op)) {
    case BinaryOp::left: return map2_any(a, sa, b, sb, y, n, [](F u, F) { return u; });
    case BinaryOp::add: return map2_any(a, sa, b, sb, y, n, [](F u, F v) { return u + v; });
    case BinaryOp::sub: return map2_any(a, sa, b, sb, y, n, [](F u, F v) { return u - v; });
    case BinaryOp::mul: return map2_any(a, sa, b, sb, y, n, [](F u, F v) { return u * v; });
    case BinaryOp::div: return map2_any(a, sa, b, sb, y, n, [](F u, F v) { return u / v; });
    // A NaN on either side wins, as in the TypeScript kernel.
    case BinaryOp::maximum:
      return map2_any(a, sa, b, sb, y, n, [](F u, F v) { return select(is_nan(u), u, max(u, v)); });
    case BinaryOp::minimum:
      return map2_any(a, sa, b, sb, y, n, [](F u, F v) { return select(is_nan(u), u, min(u, v)); });
    case BinaryOp::squaredDifference:
      return map2_any(a, sa, b, sb, y, n, [](F u, F v) {
        F d = u - v;
        return d * d;
      });
    case BinaryOp::pow: return map2_scalar(a, sa, b, sb, y, n, js_pow);
    case BinaryOp::floorDiv:
      return map2_scalar(a, sa, b, sb, y, n, [](double u, double v) { return std::floor(u / v); });
    case BinaryOp::mod:
      return map2_scalar(a, sa, b, sb, y, n, [](double u, double v) {
        double r = std::fmod(u, v);
        return r != 0 && (r < 0) != (v < 0) ? r + v : r;  // Python's sign convention
      });
    case BinaryOp::atan2:
      return map2_scalar(a, sa, b, sb, y, n, [](double u, double v) { return std::atan2(u, v); });
    default: return;
  }
}

/** max/min step that keeps the first NaN, as NumPy and the TypeScript kernel do. */
static inline F max_nan(F acc, F v) { return select(is_nan(acc), acc, max(acc, v)); }
static inline F min_nan(F acc, F v) { return select(is_nan(acc), acc, min(acc, v)); }

/** Reduces x [outer, R, inner] over R for the columns [0, ni) of inner into y [outer, inner]. */
static void reduce(int op, const float* x, float* y, int64_t outer, int64_t R, int64_t inner,
                   int64_t ni) {
  const ReduceOp rop = static_cast<ReduceOp>(op);
  for (int64_t o = 0; o < outer; o++) {
    const float* xs = x + o * R * inner;
    float* ys = y + o * inner;
    if (rop == ReduceOp::prod) {
      for (int64_t i = 0; i < ni; i++) {
        double p = 1;
        for (int64_t r = 0; r < R; r++) p *= xs[r * inner + i];
        ys[i] = static_cast<float>(p);
      }
      continue;
    }
    if (inner == 1 && ni == 1) {
      // One contiguous row: 4 vector accumulators; sums go to double every 1024 elements.
      F a0, a1, a2, a3;
      const bool sum = rop == ReduceOp::sum;
      const F init = set1(sum ? 0.0f : rop == ReduceOp::max ? -INFINITY : INFINITY);
      double total = 0;
      a0 = a1 = a2 = a3 = init;
      int64_t r = 0;
      while (r + 4 * W <= R) {
        const int64_t end = sum && R - r > 1024 ? r + 1024 : R;
        for (; r + 4 * W <= end; r += 4 * W) {
          F v0 = load(xs + r), v1 = load(xs + r + W), v2 = load(xs + r + 2 * W),
            v3 = load(xs + r + 3 * W);
          if (sum) {
            a0 = a0 + v0, a1 = a1 + v1, a2 = a2 + v2, a3 = a3 + v3;
          } else if (rop == ReduceOp::max) {
            a0 = max_nan(a0, v0), a1 = max_nan(a1, v1), a2 = max_nan(a2, v2), a3 = max_nan(a3, v3);
          } else {
            a0 = min_nan(a0, v0), a1 = min_nan(a1, v1), a2 = min_nan(a2, v2), a3 = min_nan(a3, v3);
          }
        }
        if (sum) {
          total += static_cast<double>(hsum((a0 + a1) + (a2 + a3)));
          a0 = a1 = a2 = a3 = init;
        }
      }
      if (sum) {
        for (; r < R; r++) total += xs[r];
        ys[0] = static_cast<float>(total);
        continue;
      }
      alignas(64) float lanes[4 * W];
      store(lanes, a0), store(lanes + W, a1), store(lanes + 2 * W, a2), store(lanes + 3 * W, a3);
      float best = lanes[0];
      const bool mx = rop == ReduceOp::max;
      auto better = [&](float v) {
        if (best != best) return;
        if (v != v || (mx ? v > best : v < best)) best = v;
      };
      for (int l = 1; l < 4 * W; l++) better(lanes[l]);
      for (; r < R; r++) better(xs[r]);
      ys[0] = best;
      continue;
    }
    // Columns in chunks: float partial sums over 64 rows, folded into double.
    constexpr int64_t CH = 64 * W;
    alignas(64) float acc[CH];
    alignas(64) double dacc[CH];
    for (int64_t c0 = 0; c0 < ni; c0 += CH) {
      const int64_t cn = ni - c0 < CH ? ni - c0 : CH;
      const float init = rop == ReduceOp::sum ? 0.0f : rop == ReduceOp::max ? -INFINITY : INFINITY;
      for (int64_t i = 0; i < cn; i++) acc[i] = init, dacc[i] = 0;
      for (int64_t r = 0; r < R; r++) {
        const float* row = xs + r * inner + c0;
        int64_t i = 0;
        for (; i + W <= cn; i += W) {
          F v = load(row + i), a = load(acc + i);
          a = rop == ReduceOp::sum ? a + v : rop == ReduceOp::max ? max_nan(a, v) : min_nan(a, v);
          store(acc + i, a);
        }
        for (; i < cn; i++) {
          float v = row[i], a = acc[i];
          if (rop == ReduceOp::sum) acc[i] = a + v;
          else if (a == a && (v != v || (rop == ReduceOp::max ? v > a : v < a))) acc[i] = v;
        }
        if (rop == ReduceOp::sum && (r % 64 == 63 || r == R - 1)) {
          for (int64_t k = 0; k < cn; k++) dacc[k] += acc[k], acc[k] = 0;
        }
      }
      if (rop == ReduceOp::sum)
        for (int64_t i = 0; i < cn; i++) ys[c0 + i] = static_cast<float>(dacc[i]);
      else
        for (int64_t i = 0; i < cn; i++) ys[c0 + i] = acc[i];
    }
  }
}

}  // namespace KEEL_ISA
}  // namespace keel
