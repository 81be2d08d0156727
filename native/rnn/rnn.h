// Fused recurrent layers (LSTM, GRU with resetAfter, SimpleRNN): the whole time loop and its
// backpropagation through time in one call, matching the TypeScript kernels in
// src/backends/ts/kernels/{lstm,gru,simple-rnn}.ts (their doc comments give the layouts).
//
// The input projection x·kernel of every step is one GEMM; each step is one product
// h·recurrentKernel for all gates at once (the recurrent kernel packed once per call) and one
// fused elementwise pass over the gates; the weight and input gradients are GEMMs at the end.
#pragma once
#include <cstdint>

namespace keel {

/** Sizes and options of a recurrent call (the attrs the TypeScript kernels receive). */
struct RnnDims {
  int64_t batch, steps, in, units;
  bool go_backwards;
  int activation, recurrent_activation;  // indices into RNN_ACTIVATIONS (rnn-common.ts)
};

/** Activation codes, in RNN_ACTIVATIONS order. */
enum RnnAct : int { kTanh = 0, kSigmoid = 1, kRelu = 2, kLinear = 3, kHardSigmoid = 4, kTfjsHardSigmoid = 5 };

// ---- The elementwise pass of one step for one batch row, over units [j0, j1) (per ISA). ----

struct LstmFwdRow {
  float* z;            // [4u]: h·recurrentKernel on entry, the gate activations i f c o on exit
  const float* p;      // [4u]: x_t·kernel
  const float* bias;   // [4u]
  const float* c_prev;
  float* c_next;
  const float* h_prev;
  float* h_next;
  float* y;            // this step's output row
  const float* rmask;  // recurrent mask row
  float* hm_next;      // h_next · rmask (the next step's GEMM operand)
  int64_t units;
  bool valid;
  int act, ract;
};

struct LstmBwdRow {
  const float* gates;  // [4u] activations i f c o
  const float* c_prev;
  const float* c_next;
  const float* dy;     // this step's output gradient row
  const float* dh;     // the carried dh
  float* dc;           // the carried dc, updated
  float* dz;           // [4u] gradient of the pre-activations (written, zero when masked)
  int64_t units;
  bool valid;
  int act, ract;
};

struct GruFwdRow {
  float* g;            // [4u]: h·recurrentKernel (z r h parts) on entry; z, r, hh, rh on exit
  const float* p;      // [3u]: x_t·kernel
  const float* b0;     // [3u] input bias
  const float* b1;     // [3u] recurrent bias
  const float* h_prev;
  float* h_next;
  float* y;
  const float* rmask;
  float* hm_next;
  int64_t units;
  bool valid;
  int act, ract;
};

struct GruBwdRow {
  const float* gates;  // [4u] z, r, hh, rh
  const float* h_prev;
  const float* dy;
  float* dh;           // the carried dh: read, then set to dh·z (the recurrent part comes later)
  float* dp;           // [3u] gradient of x_t·kernel + bias[0]
  float* dr;           // [3u] gradient of h·recurrentKernel + bias[1]
  int64_t units;
  bool valid;
  int act, ract;
};

struct SimpleFwdRow {
  float* h_next;       // h·recurrentKernel on entry, the new h on exit
  const float* p;
  const float* bias;
  const float* h_prev;
  float* y;
  const float* rmask;
  float* hm_next;
  int64_t units;
  bool valid;
  int act;
};

struct SimpleBwdRow {
  const float* h_next;
  const float* dy;
  const float* dh;
  float* da;           // [u] gradient of the pre-activation (zero when masked)
  int64_t units;
  bool valid;
  int act;
};

/** One ISA's recurrent cells (isa().rnn). */
struct RnnIsa {
  void (*lstm_fwd)(const LstmFwdRow& r, int64_t j0, int64_t j1);
  void (*lstm_bwd)(const LstmBwdRow& r, int64_t j0, int64_t j1);
  void (*gru_fwd)(const GruFwdRow& r, int64_t j0, int64_t j1);
  void (*gru_bwd)(const GruBwdRow& r, int64_t j0, int64_t j1);
  void (*simple_fwd)(const SimpleFwdRow& r, int64_t j0, int64_t j1);
  void (*simple_bwd)(const SimpleBwdRow& r, int64_t j0, int64_t j1);
};

// ---- The layers. Array layouts as in the TypeScript kernels; outputs are overwritten. ----

void lstm_forward(const RnnDims& d, const float* x, const float* kernel, const float* rk,
                  const float* bias, const float* h0, const float* c0, const float* mask,
                  const float* rmask, float* y, float* gates, float* cs, float* hs);
void lstm_backward(const RnnDims& d, const float* dy, const float* x, const float* kernel,
                   const float* rk, const float* gates, const float* cs, const float* hs,
                   const float* mask, const float* rmask, float* dx, float* dkernel, float* drk,
                   float* dbias, float* dh0, float* dc0);
void gru_forward(const RnnDims& d, const float* x, const float* kernel, const float* rk,
                 const float* bias, const float* h0, const float* mask, const float* rmask,
                 float* y, float* gates, float* hs);
void gru_backward(const RnnDims& d, const float* dy, const float* x, const float* kernel,
                  const float* rk, const float* gates, const float* hs, const float* mask,
                  const float* rmask, float* dx, float* dkernel, float* drk, float* dbias,
                  float* dh0);
void simple_rnn_forward(const RnnDims& d, const float* x, const float* kernel, const float* rk,
                        const float* bias, const float* h0, const float* mask, const float* rmask,
                        float* y, float* hs);
void simple_rnn_backward(const RnnDims& d, const float* dy, const float* x, const float* kernel,
                         const float* rk, const float* hs, const float* mask, const float* rmask,
                         float* dx, float* dkernel, float* drk, float* dbias, float* dh0);

}  // namespace keel
