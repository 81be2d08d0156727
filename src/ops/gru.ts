import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { type RecurrentOptions, type RecurrentSpec, runRecurrent } from './internal/recurrent.js';

/** Options of `gru`: `RecurrentOptions` plus the initial state. */
export interface GruOptions extends RecurrentOptions {
  /** [batch, units]; zeros by default. */
  initialH?: TensorLike | null;
}

/** What `gru` returns: the outputs at every step and the final state. */
export interface GruResult {
  /** `[batch, steps, units]`: h at every step in processing order (0 at masked steps). */
  sequences: Tensor;
  /** `[batch, units]`: the last carried h. */
  lastH: Tensor;
}

const spec: RecurrentSpec = {
  op: 'gru',
  gates: 3,
  states: ['initialH'],
  biasShape: (u) => [2, 3 * u],
  saved: (T, b, u) => [
    [T, b, 4 * u],
    [T + 1, b, u],
  ],
};

/**
 * A whole GRU layer's time loop as one op, Keras's resetAfter=true form (gates z, r, h):
 * z = σ(xz + rz), r = σ(xr + rr), hh = tanh(xh + r·rh), h = z·h + (1 − z)·hh, where
 * [xz, xr, xh] = x_t·kernel + bias[0] and [rz, rr, rh] = h·recurrentKernel + bias[1].
 * x [batch, steps, in], kernel [in, 3u], recurrentKernel [u, 3u], bias [2, 3u] or null.
 * `const { lastH } = gru(x, k, rk, b)`
 */
export function gru(
  x: TensorLike,
  kernel: TensorLike,
  recurrentKernel: TensorLike,
  bias: TensorLike | null = null,
  options: GruOptions = {},
): GruResult {
  const { sequences, states } = runRecurrent(
    spec,
    x,
    kernel,
    recurrentKernel,
    bias,
    [options.initialH],
    options,
  );
  return { sequences, lastH: states[0]! };
}
