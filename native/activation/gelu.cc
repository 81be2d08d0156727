// The tanh of each chunk comes from the current ISA's vector tanh (the elementwise table); the
// polynomial parts are plain loops the compiler vectorizes. Chunks stay in L1 and are split over
// the thread pool, so the composed gradient's dozen full passes become one.
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

/** t[i] = tanh(√(2/π) (x[i] + 0.044715 x[i]³)) for i < n <= kChunk. */
inline void tanh_u(const float* x, float* t, int64_t n) {
  for (int64_t i = 0; i < n; i++) t[i] = kC * (x[i] + kA * x[i] * x[i] * x[i]);
  isa().unary(static_cast<int>(UnaryOp::tanh), t, t, n, 0, 0);
}

}  // namespace

void gelu_tanh(const float* x, float* y, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t i0, int64_t i1) {
    alignas(64) float t[kChunk];
    for (int64_t c = i0; c < i1; c += kChunk) {
      const int64_t m = i1 - c < kChunk ? i1 - c : kChunk;
      tanh_u(x + c, t, m);
      for (int64_t i = 0; i < m; i++) y[c + i] = 0.5f * x[c + i] * (1.0f + t[i]);
    }
  });
}

void gelu_tanh_backward(const float* dy, const float* x, float* dx, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t i0, int64_t i1) {
    alignas(64) float t[kChunk];
    for (int64_t c = i0; c < i1; c += kChunk) {
      const int64_t m = i1 - c < kChunk ? i1 - c : kChunk;
      tanh_u(x + c, t, m);
      for (int64_t i = 0; i < m; i++) {
        const float v = x[c + i], ti = t[i];
        const float du = kC * (1.0f + 3.0f * kA * v * v);
        dx[c + i] = dy[c + i] * 0.5f * ((1.0f + ti) + v * (1.0f - ti * ti) * du);
      }
    }
  });
}

}  // namespace keel
