// Softmax, log-softmax and softmax cross-entropy along the last axis of [rows, C] row-major data,
// forward and backward. Exponentials come from the dispatched ISA's vector exp (isa().elementwise.unary).
#pragma once
#include <cstdint>

namespace keel {

/** y = softmax(x) (or log-softmax when log) of each row; the row maximum is subtracted first. */
void softmax_rows(const float* x, float* y, int64_t rows, int64_t C, bool log);

/**
 * dx for dy given y = softmax(x): y (dy - Σ dy y); for y = logSoftmax(x): dy - e^y Σ dy.
 */
void softmax_backward_rows(const float* dy, const float* y, float* dx, int64_t rows, int64_t C,
                           bool log);

/**
 * Cross-entropy of softmax(logits) against targets [rows, C] (soft or one-hot):
 * loss[r] = Σ t (lse - x), grad[r] = softmax(x) Σ t - t (the gradient of loss[r] by the logits).
 */
void softmax_xent(const float* logits, const float* targets, float* loss, float* grad,
                  int64_t rows, int64_t C);

/**
 * The same against integer labels [rows] in [0, C), or -1 for a row that is ignored (loss 0,
 * gradient 0): loss[r] = lse - x[label], grad[r] = softmax(x) - onehot(label).
 */
void sparse_softmax_xent(const float* logits, const int32_t* labels, float* loss, float* grad,
                         int64_t rows, int64_t C);

}  // namespace keel
