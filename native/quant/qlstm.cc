// The dynamically quantized LSTM (issue 12; the rule is QuantizedLstmAttrs in
// src/backends/kernels.ts, the reference src/backends/ts/kernels/quantized-lstm.ts): x quantized
// once and projected by one integer GEMM over every step; per step h quantized and multiplied by
// the int8 recurrent kernel (packed once per call), then the float32 cell of the float LSTM
// (isa().rnn.lstm_fwd), so the gate arithmetic is the float kernel's.
#include "qlstm.h"

#include "qgemm.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <new>
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

/** A 64-byte aligned, grow-only scratch buffer of the calling thread, reused from call to call
 * (a fresh zeroed vector per call cost a memset and page faults over the whole projection). */
struct Scratch {
  void* p = nullptr;
  size_t n = 0;
  template <class T>
  T* get(int64_t count) {
    const size_t want = static_cast<size_t>(count > 0 ? count : 1) * sizeof(T);
    if (want > n) {
      std::free(p);
      p = std::aligned_alloc(64, (want + 63) / 64 * 64);
      n = p ? want : 0;
      if (!p) throw std::bad_alloc();
    }
    return static_cast<T*>(p);
  }
  ~Scratch() { std::free(p); }
};

thread_local Scratch tls_xq, tls_proj, tls_state, tls_z, tls_hq, tls_acc, tls_kpack, tls_rkpack,
    tls_scale, tls_hp;

// Below this many multiply-adds per step (batch · units · gates) a layer runs on one thread.
constexpr int64_t kParallelStepWork = 32 * 32 * 64 * 4;

/** The recurrent loop of a quantized LSTM, shared by the threads that run its batch rows. */
struct Step {
  const RnnDims& d;
  const float* P;  // [B, T, G] the dequantized input projection
  const float* bias;
  const int8_t* rk;
  const uint8_t* rkp;     // rk packed for the active ISA
  const int32_t* colsum;  // [G] column sums of rk
  const float* rk_scale;
  const float* mask;
  float *h, *c, *hm;  // [2, B, U] states by step parity; hm [B, U]
  const float* ones;
  float* y;

  /** Rows [b0, b1) through every step: per row, h quantized over its own range, one integer
   * product for the rows, dequantized row by row, then the float32 cell. */
  void rows(int64_t b0, int64_t b1) const {
    const int64_t B = d.batch, T = d.steps, U = d.units, G = 4 * U, n = b1 - b0;
    uint8_t* hq = tls_hq.get<uint8_t>(n * U);
    int32_t* acc = tls_acc.get<int32_t>(n * G);
    float* Z = tls_z.get<float>(n * G);
    float* hp = tls_hp.get<float>(2 * n);
    const RnnIsa& cell = isa().rnn;
    QGemmArgs a{};
    a.M = n;
    a.N = G;
    a.K = U;
    a.x = hq;
    a.w = rk;
    a.wpacked = rkp;
    a.raw = true;
    a.y32 = acc;
    for (int64_t s = 0; s < T; s++) {
      const int64_t t = d.go_backwards ? T - 1 - s : s;
      float* h_cur = h + (s & 1) * B * U;
      float* h_next = h + ((s + 1) & 1) * B * U;
      float* c_cur = c + (s & 1) * B * U;
      float* c_next = c + ((s + 1) & 1) * B * U;
      for (int64_t r = 0; r < n; r++)
        quantize_uint8(h_cur + (b0 + r) * U, U, hq + r * U, hp + 2 * r);
      qgemm(a);  // x zero point 0: the raw sums, corrected per row below
      for (int64_t r = 0; r < n; r++) {
        const float hs = hp[2 * r];  // NaN when the row holds NaN or ±Infinity: Z is NaN then
        const uint32_t zero =
            std::isnan(hs) ? 0u : static_cast<uint32_t>(static_cast<int32_t>(hp[2 * r + 1]));
        const int32_t* ar = acc + r * G;
        float* zr = Z + r * G;
        // As quantizedMatMul's float32 output: f32(f32(acc - zero·colsum) · f32(hs · scale)).
        for (int64_t j = 0; j < G; j++) {
          const int32_t v = static_cast<int32_t>(static_cast<uint32_t>(ar[j]) -
                                                 zero * static_cast<uint32_t>(colsum[j]));
          const float sc = hs * rk_scale[j];
          zr[j] = static_cast<float>(v) * sc;
        }
      }
      for (int64_t r = 0; r < n; r++) {
        const int64_t b = b0 + r;
        const LstmFwdRow row{Z + r * G,
                             P + (b * T + t) * G,
                             bias,
                             c_cur + b * U,
                             c_next + b * U,
                             h_cur + b * U,
                             h_next + b * U,
                             y + (b * (T + 2) + s) * U,
                             ones,
                             hm + b * U,
                             U,
                             mask[b * T + t] != 0,
                             d.activation,
                             d.recurrent_activation};
        cell.lstm_fwd(row, 0, U);
      }
    }
  }
};

const uint8_t* packed(const int8_t* w, int64_t K, int64_t N, Scratch& s) {
  uint8_t* p = s.get<uint8_t>(qpacked_bytes(K, N, K));
  qpack_weights(w, K, N, K, p);
  return p;
}

}  // namespace

void quantized_lstm(const RnnDims& d, const float* x, const int8_t* kernel,
                    const float* kernel_scale, const int8_t* rk, const float* rk_scale,
                    const float* bias, const float* h0, const float* c0, const float* mask,
                    float* y, float* params) {
  const int64_t B = d.batch, T = d.steps, U = d.units, G = 4 * U, In = d.in;
  uint8_t* xq = tls_xq.get<uint8_t>(B * T * In);
  quantize_uint8(x, B * T * In, xq, params);
  if (std::isnan(params[0])) return;
  float* state = tls_state.get<float>(5 * B * U + U);
  float *h = state, *c = state + 2 * B * U, *hm = state + 4 * B * U, *ones = state + 5 * B * U;
  std::memcpy(h, h0, static_cast<size_t>(B * U) * sizeof(float));
  std::memcpy(c, c0, static_cast<size_t>(B * U) * sizeof(float));
  if (T > 0 && B > 0 && U > 0) {
    float* P = tls_proj.get<float>(B * T * G);
    float* scale = tls_scale.get<float>(G);
    if (In > 0) {
      const uint8_t* kp = packed(kernel, In, G, tls_kpack);
      dequantized_product(xq, params, B * T, In, G, kernel, kp, kernel_scale, scale, P);
    } else {
      std::memset(P, 0, static_cast<size_t>(B * T * G) * sizeof(float));
    }
    const uint8_t* rkp = packed(rk, U, G, tls_rkpack);
    for (int64_t j = 0; j < U; j++) ones[j] = 1.0f;
    const Step st{d, P, bias, rk, rkp, qpacked_colsum(rkp), rk_scale, mask, h, c, hm, ones, y};
    // Batch rows never interact (each row's h has its own range), so threads take chunks of
    // whole micro-tile rows, each running the whole time loop alone: no barrier per step.
    const int64_t mr = isa().quant.mr, chunks = (B + mr - 1) / mr;
    const int nt = static_cast<int>(std::min<int64_t>(num_threads(), chunks));
    if (nt > 1 && B * U * G >= kParallelStepWork) {
      std::atomic<int64_t> next{0};
      auto body = [&](int, int) {
        for (int64_t k = next++; k < chunks; k = next++)
          st.rows(k * mr, std::min(B, (k + 1) * mr));
      };
      parallel_region(
          nt, [](void* p, int tid, int n) { (*static_cast<decltype(body)*>(p))(tid, n); }, &body);
    } else {
      st.rows(0, B);
    }
  }
  const float* h_last = h + (T & 1) * B * U;
  const float* c_last = c + (T & 1) * B * U;
  for (int64_t b = 0; b < B; b++) {
    std::memcpy(y + (b * (T + 2) + T) * U, h_last + b * U, static_cast<size_t>(U) * sizeof(float));
    std::memcpy(y + (b * (T + 2) + T + 1) * U, c_last + b * U,
                static_cast<size_t>(U) * sizeof(float));
  }
}

}  // namespace keel
