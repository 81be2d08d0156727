import type { Optimizer } from '../../../src/nn/optimizers/optimizer.js';
import { tensor } from '../../../src/tensor/create.js';
import { Variable } from '../../../src/tensor/tensor.js';

/** Applies `grads` one step at a time to a fresh variable holding `w0`; returns the variable. */
export function runSteps(opt: Optimizer, w0: number[], grads: number[][], name = 'w'): Variable {
  const w = new Variable(tensor(w0), { name });
  for (const g of grads) opt.applyGradients([[tensor(g), w]]);
  return w;
}

/** Deterministic varied gradients: steps × n values in about [-2, 2], some tiny. */
export function gradSequence(steps: number, n: number): number[][] {
  return Array.from({ length: steps }, (_, s) =>
    Array.from({ length: n }, (_, i) => {
      const base = Math.sin(1.3 * s + 0.7 * i + 0.1) * 2;
      return i === 0 ? base * 1e-6 : base;
    }),
  );
}
