/**
 * Pieces shared by the fused recurrent kernels (lstm, gru, simpleRnn and their backward passes):
 * the activations a fused kernel supports, the one-GEMM input projection and the one-GEMM
 * weight gradients at the end of backpropagation through time.
 */

import { checkScratch } from '../../../tensor/allocation-budget.js';
import { gemm } from './gemm.js';

/** a(v) for activation code `code` (the index into RNN_ACTIVATIONS). */
export function activate(code: number, v: number): number {
  switch (code) {
    case 0:
      return Math.tanh(v);
    case 1:
      return 1 / (1 + Math.exp(-v));
    case 2:
      return Math.max(v, 0);
    case 3:
      return v;
    case 4:
      // Keras 3's hard_sigmoid: relu6(x + 3) / 6.
      return v <= -3 ? 0 : v >= 3 ? 1 : v / 6 + 0.5;
    default: {
      // tfjs's and Keras 2's hard_sigmoid: clip(0.2·x + 0.5, 0, 1), in float32 as the native kernel.
      const y = Math.fround(Math.fround(v * Math.fround(0.2)) + 0.5);
      return y <= 0 ? 0 : Math.min(y, 1);
    }
  }
}

/** a'(v) written with y = a(v). */
export function derivative(code: number, y: number): number {
  switch (code) {
    case 0:
      return 1 - y * y;
    case 1:
      return y * (1 - y);
    case 2:
      return y > 0 ? 1 : 0;
    case 3:
      return 1;
    case 4:
      return y > 0 && y < 1 ? 1 / 6 : 0;
    default:
      return y > 0 && y < 1 ? Math.fround(0.2) : 0;
  }
}

/** P = x · kernel + bias for every step at once: [batch·steps, gates], one GEMM. */
export function projectInputs(
  x: Float32Array,
  kernel: Float32Array,
  bias: Float32Array,
  biasOffset: number,
  rows: number,
  inDim: number,
  gates: number,
): Float32Array {
  checkScratch(rows * gates * 4, `a recurrent layer's projected inputs [${rows}, ${gates}]`);
  const p = new Float32Array(rows * gates);
  for (let r = 0; r < rows; r++) p.set(bias.subarray(biasOffset, biasOffset + gates), r * gates);
  gemm(x, 0, kernel, 0, p, 0, rows, gates, inDim, false, false);
  return p;
}

/**
 * The end of backpropagation through time: given dP [batch·steps, gates] (the gradient of the
 * input projection, indexed by time), dx = dP · kernelᵀ, dKernel = xᵀ · dP and dBias = Σ dP,
 * each one GEMM or one pass.
 */
export function inputProjectionGrads(
  x: Float32Array,
  kernel: Float32Array,
  dP: Float32Array,
  rows: number,
  inDim: number,
  gates: number,
  dx: Float32Array,
  dKernel: Float32Array,
  dBias: Float32Array,
  biasOffset: number,
): void {
  gemm(dP, 0, kernel, 0, dx, 0, rows, inDim, gates, false, true);
  gemm(x, 0, dP, 0, dKernel, 0, inDim, gates, rows, true, false);
  for (let r = 0; r < rows; r++) {
    const o = r * gates;
    for (let g = 0; g < gates; g++) dBias[biasOffset + g]! += dP[o + g]!;
  }
}

/** Time index processed at step s. */
export function timeAt(s: number, steps: number, goBackwards: boolean): number {
  return goBackwards ? steps - 1 - s : s;
}
