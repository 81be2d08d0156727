import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { type RecurrentOptions, type RecurrentSpec, runRecurrent } from './internal/recurrent.js';

/** Options of `lstm`: `RecurrentOptions` plus the initial states. */
export interface LstmOptions extends RecurrentOptions {
  /** [batch, units]; zeros by default. */
  initialH?: TensorLike | null;
  initialC?: TensorLike | null;
}

/** What `lstm` returns: the outputs at every step and the final h and c. */
export interface LstmResult {
  /** `[batch, steps, units]`: h at every step in processing order (0 at masked steps). */
  sequences: Tensor;
  /** `[batch, units]`: the last carried h and c. */
  lastH: Tensor;
  lastC: Tensor;
}

const spec: RecurrentSpec = {
  op: 'lstm',
  gates: 4,
  states: ['initialH', 'initialC'],
  biasShape: (u) => [4 * u],
  saved: (T, b, u) => [
    [T, b, 4 * u],
    [T + 1, b, u],
    [T + 1, b, u],
  ],
};

/**
 * A whole LSTM layer's time loop as one op (Keras's layout: gates i, f, c, o).
 * z = x_t·kernel + h·recurrentKernel + bias; i, f, o = σ(z_i, z_f, z_o); g = tanh(z_c);
 * c = f·c + i·g; h = o·tanh(c). x [batch, steps, in], kernel [in, 4u], recurrentKernel [u, 4u],
 * bias [4u] or null. `const { lastH } = lstm(x, k, rk, b)`
 * The kernel projects every step's input with one GEMM and its backward pass is BPTT in one kernel.
 */
export function lstm(
  x: TensorLike,
  kernel: TensorLike,
  recurrentKernel: TensorLike,
  bias: TensorLike | null = null,
  options: LstmOptions = {},
): LstmResult {
  const { sequences, states } = runRecurrent(
    spec,
    x,
    kernel,
    recurrentKernel,
    bias,
    [options.initialH, options.initialC],
    options,
  );
  return { sequences, lastH: states[0]!, lastC: states[1]! };
}
