// The dynamically quantized LSTM (issue 12; the rule is QuantizedLstmAttrs in
// src/backends/kernels.ts, the reference src/backends/ts/kernels/quantized-lstm.ts): x quantized
// once and projected by one integer GEMM over every step; per step h quantized and multiplied by
// the int8 recurrent kernel (packed once per call), then the float32 cell of the float LSTM
// (isa().rnn.lstm_fwd), so the gate arithmetic is the float kernel's.
#include "qlstm.h"

#include "qgemm.h"

#include <cmath>
#include <cstring>
#include <vector>

#include "../dispatch.h"
#include "../threadpool.h"

namespace keel {
namespace {

/** The dequantizing product y [M, N] = f32(f32(acc) · f32(qscale · wscale[j])). */
void dequantized_product(const uint8_t* q, const float* qparams, int64_t M, int64_t K, int64_t N,
                         const int8_t* w, const uint8_t* wpacked, const float* wscale,
                         float* scale, float* y) {
  for (int64_t j = 0; j < N; j++) scale[j] = qparams[0] * wscale[j];
  QGemmArgs a{};
  a.M = M;
  a.N = N;
  a.K = K;
  a.x = q;
  a.x_zero = static_cast<int32_t>(qparams[1]);
  a.w = w;
  a.wpacked = wpacked;
  a.yf = y;
  a.scale = scale;
  a.scale_step = 1;
  qgemm(a);
}

std::vector<uint8_t> packed(const int8_t* w, int64_t K, int64_t N) {
  std::vector<uint8_t> p(static_cast<size_t>(qpacked_bytes(K, N, K)));
  qpack_weights(w, K, N, K, p.data());
  return p;
}

}  // namespace

void quantized_lstm(const RnnDims& d, const float* x, const int8_t* kernel,
                    const float* kernel_scale, const int8_t* rk, const float* rk_scale,
                    const float* bias, const float* h0, const float* c0, const float* mask,
                    float* y, float* params) {
  const int64_t B = d.batch, T = d.steps, U = d.units, G = 4 * U, In = d.in;
  std::vector<uint8_t> xq(static_cast<size_t>(B * T * In));
  quantize_uint8(x, B * T * In, xq.data(), params);
  if (std::isnan(params[0])) return;
  std::vector<float> h(static_cast<size_t>(2 * B * U)), c(static_cast<size_t>(2 * B * U));
  std::memcpy(h.data(), h0, static_cast<size_t>(B * U) * sizeof(float));
  std::memcpy(c.data(), c0, static_cast<size_t>(B * U) * sizeof(float));
  if (T > 0 && B > 0 && U > 0) {
    std::vector<float> P(static_cast<size_t>(B * T * G)), scale(static_cast<size_t>(G));
    if (In > 0) {
      const std::vector<uint8_t> kp = packed(kernel, In, G);
      dequantized_product(xq.data(), params, B * T, In, G, kernel, kp.data(), kernel_scale,
                          scale.data(), P.data());
    }
    const std::vector<uint8_t> rkp = packed(rk, U, G);
    std::vector<float> Z(static_cast<size_t>(B * G)), ones(static_cast<size_t>(U), 1.0f),
        hm(static_cast<size_t>(B * U));
    std::vector<uint8_t> hq(static_cast<size_t>(B * U));
    float hp[2];
    const RnnIsa& cell = isa().rnn;
    for (int64_t s = 0; s < T; s++) {
      const int64_t t = d.go_backwards ? T - 1 - s : s;
      float* h_cur = h.data() + (s & 1) * B * U;
      float* h_next = h.data() + ((s + 1) & 1) * B * U;
      float* c_cur = c.data() + (s & 1) * B * U;
      float* c_next = c.data() + ((s + 1) & 1) * B * U;
      quantize_uint8(h_cur, B * U, hq.data(), hp);
      dequantized_product(hq.data(), hp, B, U, G, rk, rkp.data(), rk_scale, scale.data(),
                          Z.data());
      for (int64_t b = 0; b < B; b++) {
        const LstmFwdRow row{Z.data() + b * G,
                             P.data() + (b * T + t) * G,
                             bias,
                             c_cur + b * U,
                             c_next + b * U,
                             h_cur + b * U,
                             h_next + b * U,
                             y + (b * (T + 2) + s) * U,
                             ones.data(),
                             hm.data() + b * U,
                             U,
                             mask[b * T + t] != 0,
                             d.activation,
                             d.recurrent_activation};
        cell.lstm_fwd(row, 0, U);
      }
    }
  }
  const float* h_last = h.data() + (T & 1) * B * U;
  const float* c_last = c.data() + (T & 1) * B * U;
  for (int64_t b = 0; b < B; b++) {
    std::memcpy(y + (b * (T + 2) + T) * U, h_last + b * U, static_cast<size_t>(U) * sizeof(float));
    std::memcpy(y + (b * (T + 2) + T + 1) * U, c_last + b * U,
                static_cast<size_t>(U) * sizeof(float));
  }
}

}  // namespace keel
