// The dynamically quantized LSTM (issue 12): QuantizedLstmAttrs in src/backends/kernels.ts.
#pragma once
#include <cstdint>

#include "../rnn/rnn.h"

namespace keel {

/**
 * y [b, T + 2, u] (step outputs in processing order, then the last h and c) of an LSTM with int8
 * kernel [in, 4u] and recurrent kernel [u, 4u] (per-column float scales), x quantized once and
 * h per step to uint8 by the dynamic rule; params = x's [scale, zeroPoint], NaN when x is not
 * finite (y is then not written). mask [b, T]: 0 keeps the previous states and outputs 0.
 */
void quantized_lstm(const RnnDims& d, const float* x, const int8_t* kernel,
                    const float* kernel_scale, const int8_t* rk, const float* rk_scale,
                    const float* bias, const float* h0, const float* c0, const float* mask,
                    float* y, float* params);

}  // namespace keel
