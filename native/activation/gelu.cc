// With u = √(2/π) (x + 0.044715 x³), (1 + tanh u) / 2 = σ(2u) = 1 / (1 + e^-2u): one vector
// exp per element from the current ISA (the elementwise table) instead of a tanh, which pays for
// an exp, a polynomial and a division (and loses digits to 1 + tanh u near -1, where σ keeps
// them). The polynomial parts are plain loops the compiler vectorizes. Chunks stay in L1 and are
// split over the thread pool, so the composed gradient's dozen full passes become one.
#include "gelu.h"

#include "../dispatch.h"
#include "../elementwise/ops.h"
#include "../threadpool.h"

namespace keel {
namespace {

constexpr int64_t kGrain = 1 << 15;
constexpr int64_t kChunk = 512;
constexpr float kC = 0.7978845608028654f;  // √(2/π)
constexpr float kA = 0.044715f;

/** e[i] = e^(-2u) with u = √(2/π) (x[i] + 0.044715 x[i]³), for i < n <= kChunk. */
inline void exp_minus_2u(const float* x, float* e, int64_t n) {
  for (int64_t i = 0; i < n; i++) e[i] = -2.0f * kC * (x[i] + kA * x[i] * x[i] * x[i]);
  isa().elementwise.unary(static_cast<int>(UnaryOp::exp), e, e, n, 0, 0);
}

}  // namespace

void gelu_tanh(const float* x, float* y, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t i0, int64_t i1) {
    alignas(64) float t[kChunk];
    for (int64_t c = i0; c < i1; c += kChunk) {
      const int64_t m = i1 - c < kChunk ? i1 - c : kChunk;
      exp_minus_2u(x + c, t, m);
      for (int64_t i = 0; i < m; i++) y[c + i] = x[c + i] / (1.0f + t[i]);
    }
  });
}

void gelu_tanh_backward(const float* dy, const float* x, float* dx, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t i0, int64_t i1) {
    alignas(64) float t[kChunk];
    for (int64_t c = i0; c < i1; c += kChunk) {
      const int64_t m = i1 - c < kChunk ? i1 - c : kChunk;
      exp_minus_2u(x + c, t, m);
      // d/dx x σ(2u) = σ + x · 2σ(1 - σ) · du/dx, with σ = σ(2u).
      for (int64_t i = 0; i < m; i++) {
        const float v = x[c + i], s = 1.0f / (1.0f + t[i]);
        const float du = kC * (1.0f + 3.0f * kA * v * v);
        dx[c + i] = dy[c + i] * (s + 2.0f * v * s * (1.0f - s) * du);
      }
    }
  });
}

}  // namespace keel
