// Threading for the fused convolution-area kernels (fused_kernels.h does the math, isa().conv).
#include "fused.h"

#include <cstring>
#include <vector>

#include "../dispatch.h"
#include "../gemm/gemm.h"
#include "../scratch.h"
#include "../threadpool.h"

namespace keel {
namespace {

// Multiply-adds a thread should have before a region is split (waking a worker costs microseconds).
constexpr int64_t kWork = int64_t{1} << 18;

int64_t taps(const Conv2DGeom& a) { return a.filterH * a.filterW * a.inC; }

/** Rows per chunk so each chunk has about kWork / 8 element operations. */
int64_t row_grain(int64_t C) { return (kWork / 8) / (C > 0 ? C : 1) + 1; }

}  // namespace

bool conv_is_direct(const Conv2DGeom& a) { return taps(a) <= 32; }

void bias_activation(const float* x, const float* bias, float* y, int64_t rows, int64_t C,
                     int act) {
  if (rows == 0 || C == 0) return;
  const ConvIsa& k = isa().conv;
  parallel_for(rows, row_grain(C), [&](int64_t r0, int64_t r1) {
    if (x != y) std::memcpy(y + r0 * C, x + r0 * C, (r1 - r0) * C * sizeof(float));
    k.bias_act(y + r0 * C, bias, r1 - r0, C, act);
  });
}

void activation_grad(const float* dy, const float* y, float* dz, int64_t rows, int64_t C, int act) {
  if (rows == 0 || C == 0) return;
  const ConvIsa& k = isa().conv;
  parallel_for(rows, row_grain(C), [&](int64_t r0, int64_t r1) {
    k.act_grad(dy + r0 * C, y + r0 * C, dz + r0 * C, r1 - r0, C, act);
  });
}

void fused_conv2d(const float* x, const float* filter, const float* bias, float* y,
                  const Conv2DGeom& a, int act) {
  const int64_t M = a.batch * a.outH * a.outW;
  if (M == 0 || a.outC == 0) return;
  const bool softmax = act == static_cast<int>(Activation::softmax);
  if (conv_is_direct(a)) {
    const ConvIsa& k = isa().conv;
    const int inner = softmax ? static_cast<int>(Activation::linear) : act;
    parallel_for(M, kWork / (taps(a) * a.outC + 1) + 1, [&](int64_t p0, int64_t p1) {
      k.conv_direct(x, filter, bias, y, a, inner, p0, p1);
    });
    if (softmax) bias_activation(y, nullptr, y, M, a.outC, act);
    return;
  }
  std::memset(y, 0, static_cast<size_t>(M * a.outC) * sizeof(float));
  conv2d_forward(x, filter, y, a);
  bias_activation(y, bias, y, M, a.outC, act);
}

// Up to this many rows each stream w (a GEMV per row) rather than pack it for the GEMM.
constexpr int64_t kStreamRows = 4;

void fused_dense(const float* x, const float* w, const float* bias, float* y, int64_t M, int64_t K,
                 int64_t N, int act) {
  if (M == 0 || N == 0) return;
  if (N <= 32 || M <= kStreamRows) {
    // Narrow outputs or a few rows (a decoding step): GEMM packing would cost more than the
    // product; stream w per row instead.
    const ConvIsa& k = isa().conv;
    parallel_for(M, kWork / (K * N + 1) + 1,
                 [&](int64_t m0, int64_t m1) { k.dense_rows(x, w, y, K, N, m0, m1); });
  } else {
    GemmArgs g{M, N, K, x, K, 1, w, N, 1, y, N, false};
    sgemm(g, num_threads());
  }
  bias_activation(y, bias, y, M, N, act);
}

void conv2d_backprop_filter_direct(const float* x, const float* dy, float* dw,
                                   const Conv2DGeom& a) {
  const int64_t M = a.batch * a.outH * a.outW;
  const int64_t wsize = taps(a) * a.outC;
  if (M == 0 || wsize == 0) return;
  const ConvIsa& k = isa().conv;
  int64_t chunks = M / (kWork / wsize + 1);
  if (chunks > num_threads()) chunks = num_threads();
  if (chunks <= 1) return k.filter_grad_direct(x, dy, dw, a, 0, M);
  // Each chunk sums into its own copy of dw; the copies are added at the end.
  std::vector<float> partial(scratch_elements("conv2dBackpropFilter partial sums", {chunks - 1, wsize}), 0.0f);
  parallel_for(chunks, 1, [&](int64_t c0, int64_t c1) {
    for (int64_t c = c0; c < c1; c++) {
      float* out = c == 0 ? dw : partial.data() + (c - 1) * wsize;
      k.filter_grad_direct(x, dy, out, a, M * c / chunks, M * (c + 1) / chunks);
    }
  });
  for (int64_t c = 1; c < chunks; c++) {
    const float* p = partial.data() + (c - 1) * wsize;
    for (int64_t i = 0; i < wsize; i++) dw[i] += p[i];
  }
}

}  // namespace keel
