/**
 * The shared body of the fused recurrent ops (lstm, gru, simpleRnn): argument checks, the call
 * of the forward kernel, and a gradient that runs the matching backward kernel. The kernel packs
 * its results into one tensor y [batch, steps + states, units] (the step outputs, then the last
 * states), so autograd sees one output; the public op slices it apart with differentiable ops.
 */
import { record, recordNonDifferentiable } from '../../autograd/tape.js';
import { runKernel } from '../../backends/index.js';
import { RNN_ACTIVATIONS, type RnnActivation, type RnnDims } from '../../backends/kernels.js';
import { type TensorLike, toTensor, zeros } from '../../tensor/create.js';
import { checkDType } from '../../tensor/dtype.js';
import { formatShape, type Shape } from '../../tensor/shape.js';
import { emptyTensor, type Tensor } from '../../tensor/tensor.js';
import { cast } from '../cast.js';
import { reshape } from '../reshape.js';
import { slice } from '../slice.js';

export type { RnnActivation };

/** Options every fused recurrent op accepts. */
export interface RecurrentOptions {
  /** `[batch, steps]`: 0/false marks a padded step, which keeps the previous state and outputs 0. */
  mask?: TensorLike | null;
  /** Process the steps last to first; the outputs come in processing order (Keras). */
  goBackwards?: boolean;
  /** [batch, units] multiplier of h before the recurrent product (recurrent dropout). */
  recurrentMask?: TensorLike | null;
  activation?: RnnActivation;
  recurrentActivation?: RnnActivation;
}

export interface RecurrentSpec {
  op: 'lstm' | 'gru' | 'simpleRnn';
  /** Gate blocks in the kernel's columns (4 for LSTM, 3 for GRU, 1 for SimpleRNN). */
  gates: number;
  /** Names of the state inputs (h, c for LSTM). */
  states: readonly string[];
  biasShape: (units: number) => number[];
  /** Shapes of the tensors the forward kernel saves for the backward one. */
  saved: (steps: number, batch: number, units: number) => Shape[];
}

export interface RecurrentResult {
  /** [batch, steps, units], in processing order. */
  sequences: Tensor;
  /** The last state of each kind, [batch, units] (h first). */
  states: Tensor[];
}

export function activationCode(
  op: string,
  arg: string,
  name: string | undefined,
  def: RnnActivation,
) {
  const code = RNN_ACTIVATIONS.indexOf((name ?? def) as RnnActivation);
  if (code < 0) {
    throw new RangeError(
      `${op}: ${arg} ${JSON.stringify(name)} is not supported by the fused kernel; use one of ${RNN_ACTIVATIONS.join(', ')}`,
    );
  }
  return code;
}

export function expectShape(op: string, arg: string, t: Tensor, shape: Shape, what: string): void {
  if (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new RangeError(
      `${op}: expected ${arg} ${formatShape(shape)} ${what}, got ${formatShape(t.shape)}`,
    );
  }
}

/** An initial state [batch, units] (float32), zeros when not given. */
export function initialState(
  op: string,
  name: string,
  s: TensorLike | null | undefined,
  batch: number,
  units: number,
): Tensor {
  if (s === null || s === undefined) return zeros([batch, units]);
  const t = toTensor(s);
  checkDType(op, name, t.dtype, ['float32']);
  expectShape(op, name, t, [batch, units], '[batch, units]');
  return t;
}

/** The step mask [batch, steps] as float32 for x [batch, steps, features]; all ones when not given. */
export function stepMask(op: string, given: TensorLike | null | undefined, x: Tensor): Tensor {
  const [batch, steps] = x.shape as [number, number];
  if (given !== null && given !== undefined) {
    const m = toTensor(given);
    expectShape(op, 'mask', m, [batch, steps], `[batch, steps] for x ${formatShape(x.shape)}`);
    return m.dtype === 'float32' ? m : cast(m, 'float32');
  }
  const mask = zeros([batch, steps]);
  mask.data.fill(1);
  return mask;
}

/** Checks the arguments, runs the forward kernel and records the backward one. */
export function runRecurrent(
  spec: RecurrentSpec,
  xLike: TensorLike,
  kernelLike: TensorLike,
  recurrentLike: TensorLike,
  biasLike: TensorLike | null | undefined,
  initialStates: readonly (TensorLike | null | undefined)[],
  options: RecurrentOptions,
): RecurrentResult {
  const { op } = spec;
  const x = toTensor(xLike);
  const kernel = toTensor(kernelLike);
  const rk = toTensor(recurrentLike);
  checkDType(op, 'x', x.dtype, ['float32']);
  checkDType(op, 'kernel', kernel.dtype, ['float32']);
  checkDType(op, 'recurrentKernel', rk.dtype, ['float32']);
  if (x.rank !== 3)
    throw new RangeError(
      `${op}: expected x rank 3 [batch, steps, features], got ${formatShape(x.shape)}`,
    );
  const [batch, steps, inDim] = x.shape as [number, number, number];
  if (rk.rank !== 2 || rk.shape[1] !== spec.gates * rk.shape[0]!)
    throw new RangeError(
      `${op}: expected recurrentKernel [units, ${spec.gates}·units], got ${formatShape(rk.shape)}`,
    );
  const units = rk.shape[0]!;
  const G = spec.gates * units;
  expectShape(op, 'kernel', kernel, [inDim, G], `for x ${formatShape(x.shape)}`);
  const hasBias = biasLike !== null && biasLike !== undefined;
  const bias = hasBias ? toTensor(biasLike) : zeros(spec.biasShape(units));
  expectShape(op, 'bias', bias, spec.biasShape(units), `for ${units} units`);
  checkDType(op, 'bias', bias.dtype, ['float32']);
  const states = spec.states.map((name, i) =>
    initialState(op, name, initialStates[i], batch, units),
  );
  const mask = stepMask(op, options.mask, x);
  let recMask: Tensor;
  if (options.recurrentMask !== null && options.recurrentMask !== undefined) {
    recMask = toTensor(options.recurrentMask);
    checkDType(op, 'recurrentMask', recMask.dtype, ['float32']);
    expectShape(op, 'recurrentMask', recMask, [batch, units], '[batch, units]');
  } else {
    recMask = zeros([batch, units]);
    recMask.data.fill(1);
  }
  const dims: RnnDims = {
    batch,
    steps,
    inDim,
    units,
    goBackwards: options.goBackwards ?? false,
    activation: activationCode(op, 'activation', options.activation, 'tanh'),
    recurrentActivation: activationCode(
      op,
      'recurrentActivation',
      options.recurrentActivation,
      'sigmoid',
    ),
  };
  const nStates = spec.states.length;
  const y = emptyTensor([batch, steps + nStates, units], 'float32');
  const saved = spec.saved(steps, batch, units).map((s) => emptyTensor(s, 'float32'));
  runKernel(op, [x, kernel, rk, bias, ...states, mask, recMask], [y, ...saved], dims);

  const differentiable = [x, kernel, rk, ...(hasBias ? [bias] : []), ...states];
  const packed = record(op, differentiable, y, (dy) => {
    const outs: [Tensor, Tensor, Tensor, Tensor, ...Tensor[]] = [
      emptyTensor(x.shape, 'float32'),
      emptyTensor(kernel.shape, 'float32'),
      emptyTensor(rk.shape, 'float32'),
      emptyTensor(bias.shape, 'float32'),
      ...states.map(() => emptyTensor([batch, units], 'float32')),
    ];
    const backInputs: [Tensor, Tensor, Tensor, Tensor, Tensor, ...Tensor[]] = [
      dy,
      x,
      kernel,
      rk,
      bias,
      ...saved,
      mask,
      recMask,
    ];
    runKernel(`${op}Backward` as const, backInputs, outs, dims);
    for (const o of outs) recordNonDifferentiable(`${op}Backward`, [dy], o);
    const [dx, dk, drk, db, ...ds] = outs;
    const pick = (t: Tensor, g: Tensor) => (t.requiresGrad ? g : null);
    return [
      pick(x, dx!),
      pick(kernel, dk!),
      pick(rk, drk!),
      ...(hasBias ? [pick(bias, db!)] : []),
      ...states.map((s, i) => pick(s, ds[i]!)),
    ];
  });
  const sequences = slice(packed, [0, 0, 0], [batch, steps, units]);
  const last = spec.states.map((_, i) =>
    reshape(slice(packed, [0, steps + i, 0], [batch, 1, units]), [batch, units]),
  );
  return { sequences, states: last };
}
