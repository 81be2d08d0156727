// Fused scaled dot-product attention over independent heads (see attention.cc).
#pragma once
#include <cstdint>

namespace keel {

/**
 * H heads of q [Tq, D], k [Tk, D], v [Tk, Dv], stored head after head. logits = fl(q·k · scale)
 * + bias, where bias is bias[bias_index[h]] ([Tq, Tk]) when bias is non-null, and the causal mask
 * (key j > query i + Tk - Tq) replaces it with -1e9, Keras's float32 mask value.
 */
struct AttentionArgs {
  int64_t H, Tq, Tk, D, Dv;
  // Heads side by side at each step: 1 for [H, T, width] tensors, n for [H / n, T, n, width]
  // (the layout of the projections); lse is [H, Tq] either way.
  int64_t n;
  float scale;
  bool causal;
  const float* q;
  const float* k;
  const float* v;
  const float* bias;
  const int32_t* bias_index;
};

/** out [H, Tq, Dv] = softmax(logits) v, and lse [H, Tq], the log-sum-exp of each logit row. */
void attention_forward(const AttentionArgs& a, float* out, float* lse);

/** dq, dk, dv from dout [H, Tq, Dv], the forward's out and lse (the weights are recomputed). */
void attention_backward(const AttentionArgs& a, const float* dout, const float* out,
                        const float* lse, float* dq, float* dk, float* dv);

}  // namespace keel
