import type { Model } from '../../models/model.js';
import { prunableKernels } from './prunable.js';

/** The zeros of one prunable kernel. */
export interface KernelSparsity {
  layer: string;
  weight: string;
  shape: number[];
  size: number;
  zeros: number;
  sparsity: number;
}

/** The fraction of zeros in a model's prunable kernels, together and per kernel. */
export interface SparsityReport {
  /** Zeros over all prunable kernels together. */
  sparsity: number;
  zeros: number;
  size: number;
  kernels: KernelSparsity[];
}

/**
 * The actual sparsity of the prunable kernels of `model` (Dense, Conv1D, Conv2D; biases not
 * counted), together and per kernel. `compress.sparsity(model).sparsity // 0.9`
 */
export function sparsity(model: Model): SparsityReport {
  const kernels = prunableKernels('sparsity', model).map(({ layer, kernel }) => {
    let zeros = 0;
    for (const v of kernel.data) if (v === 0) zeros++;
    const size = kernel.size;
    return {
      layer: layer.name,
      weight: kernel.name,
      shape: [...kernel.shape],
      size,
      zeros,
      sparsity: size === 0 ? 0 : zeros / size,
    };
  });
  const zeros = kernels.reduce((n, k) => n + k.zeros, 0);
  const size = kernels.reduce((n, k) => n + k.size, 0);
  return { sparsity: size === 0 ? 0 : zeros / size, zeros, size, kernels };
}
