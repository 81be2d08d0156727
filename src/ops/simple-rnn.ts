import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { type RecurrentOptions, type RecurrentSpec, runRecurrent } from './internal/recurrent.js';

/** Options of `simpleRnn`: `RecurrentOptions` plus the initial state. */
export interface SimpleRnnOptions extends RecurrentOptions {
  /** [batch, units]; zeros by default. */
  initialH?: TensorLike | null;
}

/** What `simpleRnn` returns: the outputs at every step and the final state. */
export interface SimpleRnnResult {
  /** `[batch, steps, units]`: h at every step in processing order (0 at masked steps). */
  sequences: Tensor;
  /** `[batch, units]`: the last carried h. */
  lastH: Tensor;
}

const spec: RecurrentSpec = {
  op: 'simpleRnn',
  gates: 1,
  states: ['initialH'],
  biasShape: (u) => [u],
  saved: (T, b, u) => [[T + 1, b, u]],
};

/**
 * A whole SimpleRNN layer's time loop as one op: h = tanh(x_t·kernel + bias + h·recurrentKernel).
 * x [batch, steps, in], kernel [in, u], recurrentKernel [u, u], bias [u] or null.
 * `const { sequences } = simpleRnn(x, k, rk, b)`
 */
export function simpleRnn(
  x: TensorLike,
  kernel: TensorLike,
  recurrentKernel: TensorLike,
  bias: TensorLike | null = null,
  options: SimpleRnnOptions = {},
): SimpleRnnResult {
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
