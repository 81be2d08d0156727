import type { Tensor } from '../../../tensor/tensor.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU, tanh form: y = x (1 + tanh(u)) / 2 with u = √(2/π) (x + 0.044715 x³). Input x, output y. */
export function geluTanh(inputs: readonly Tensor[], outputs: readonly Tensor[]): void {
  const x = inputs[0]!.data;
  const y = outputs[0]!.data;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    y[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
  }
}

/**
 * Its gradient in one pass: inputs dy, x; output dx =
 * dy ((1 + t) / 2 + x (1 - t²) √(2/π) (1 + 3 · 0.044715 x²) / 2) with t = tanh(u).
 */
export function geluTanhBackward(inputs: readonly Tensor[], outputs: readonly Tensor[]): void {
  const [dy, x] = inputs.map((t) => t.data);
  const dx = outputs[0]!.data;
  for (let i = 0; i < dx.length; i++) {
    const v = x![i]!;
    const t = Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v));
    const du = SQRT_2_OVER_PI * (1 + 3 * 0.044715 * v * v);
    dx[i] = dy![i]! * 0.5 * (1 + t + v * (1 - t * t) * du);
  }
}
