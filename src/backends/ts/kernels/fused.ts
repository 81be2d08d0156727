import type { Tensor } from '../../../tensor/tensor.js';
import type { Kernel } from '../../kernels.js';
import { conv2dKernel } from './conv2d.js';
import { gemm } from './gemm.js';

/** y[r, c] = act(x[r, c] + bias[c]) for rows of C (softmax: along each row, max subtracted). */
function biasActivation(
  x: Float32Array,
  bias: Float32Array | null,
  y: Float32Array,
  rows: number,
  C: number,
  act: number,
): void {
  for (let r = 0, o = 0; r < rows; r++, o += C) {
    for (let c = 0; c < C; c++) {
      const v = x[o + c]! + (bias ? bias[c]! : 0);
      y[o + c] =
        act === 1
          ? Math.max(v, 0)
          : act === 2
            ? 1 / (1 + Math.exp(-v))
            : act === 3
              ? Math.tanh(v)
              : v;
    }
    if (act !== 4) continue;
    let max = -Infinity;
    for (let c = 0; c < C; c++) if (y[o + c]! > max || Number.isNaN(y[o + c]!)) max = y[o + c]!;
    if (!Number.isFinite(max) && !Number.isNaN(max)) max = 0;
    let sum = 0;
    for (let c = 0; c < C; c++) sum += y[o + c] = Math.exp(y[o + c]! - max);
    for (let c = 0; c < C; c++) y[o + c]! /= sum;
  }
}

/** dz = dy · act'(y), the derivative written from the activation's output y. */
function activationGrad(
  dy: Float32Array,
  y: Float32Array,
  dz: Float32Array,
  rows: number,
  C: number,
  act: number,
): void {
  for (let r = 0, o = 0; r < rows; r++, o += C) {
    let s = 0;
    if (act === 4) for (let c = 0; c < C; c++) s += dy[o + c]! * y[o + c]!;
    for (let c = 0; c < C; c++) {
      const g = dy[o + c]!;
      const p = y[o + c]!;
      dz[o + c] =
        act === 1
          ? p > 0
            ? g
            : 0
          : act === 2
            ? g * p * (1 - p)
            : act === 3
              ? g * (1 - p * p)
              : act === 4
                ? p * (g - s)
                : g;
    }
  }
}

const f32 = (t: Tensor | undefined) => (t ? (t.data as Float32Array) : null);

export const biasActivationKernel: Kernel<'biasActivation'> = (inputs, outputs, a) => {
  biasActivation(
    f32(inputs[0])!,
    f32(inputs[1]),
    f32(outputs[0])!,
    a.rows,
    a.channels,
    a.activation,
  );
};

export const activationGradKernel: Kernel<'activationGrad'> = (inputs, outputs, a) => {
  activationGrad(
    f32(inputs[0])!,
    f32(inputs[1])!,
    f32(outputs[0])!,
    a.rows,
    a.channels,
    a.activation,
  );
};

/** conv2d, then bias and activation over the output's channels: the specification of the fusion. */
export const fusedConv2dKernel: Kernel<'fusedConv2d'> = (inputs, outputs, a) => {
  conv2dKernel(inputs.slice(0, 2), outputs, a);
  const y = f32(outputs[0])!;
  biasActivation(y, f32(inputs[2]), y, a.batch * a.outH * a.outW, a.outC, a.activation);
};

/** x @ kernel, then bias and activation over the output rows: the specification of fusedDense. */
export const fusedDenseKernel: Kernel<'fusedDense'> = (inputs, outputs, a) => {
  const y = f32(outputs[0])!;
  y.fill(0);
  gemm(f32(inputs[0])!, 0, f32(inputs[1])!, 0, y, 0, a.M, a.N, a.K, false, false);
  biasActivation(y, f32(inputs[2]), y, a.M, a.N, a.activation);
};
