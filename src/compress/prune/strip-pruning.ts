import type { Model } from '../../models/model.js';
import { Dense } from '../../nn/layers/dense.js';
import { forgetPruning, pruningHandle } from './prune-low-magnitude.js';

/**
 * Where a stripped Dense runs small batches on the sparse kernel (`Dense.useSparseKernel`): a
 * kernel of at least `SPARSE_KERNEL_MIN_WEIGHTS` weights with at least `SPARSE_KERNEL_MIN_SPARSITY`
 * zeros. Measured at batch 1 and 90% zeros (`npm run bench -- --suites compress`, the sparse
 * Dense cases; PERFORMANCE-LOG): the CSR kernel is 2.3x the dense GEMV at 2048x2048 (memory-bound
 * there) but slower at 1024x1024 and at LeNet's 784x300, where the dense kernel runs from cache.
 */
export const SPARSE_KERNEL_MIN_SPARSITY = 0.9;
/** See SPARSE_KERNEL_MIN_SPARSITY: 2048x2048 won, 1024x1024 lost. */
export const SPARSE_KERNEL_MIN_WEIGHTS = 2048 * 2048;

/** Whether a Dense kernel of `weights` weights, `zeros` of them zero, runs faster sparse. */
export function sparseKernelPays(weights: number, zeros: number): boolean {
  // floor: pruning to 90% zeroes floor(0.9·weights) of them.
  return (
    weights >= SPARSE_KERNEL_MIN_WEIGHTS &&
    zeros >= Math.floor(SPARSE_KERNEL_MIN_SPARSITY * weights)
  );
}

/**
 * Ends pruning (tfmot's strip_pruning): the masks are applied one last time and forgotten, and
 * the plain model is returned with its zeros. Each pruned Dense where the sparse kernel was
 * measured faster (`SPARSE_KERNEL_MIN_WEIGHTS`, `SPARSE_KERNEL_MIN_SPARSITY`) then runs inference
 * on small batches with it; `layer.useSparseKernel()` turns it on for any other. A model that is not being pruned comes back as is.
 * `const plain = stripPruning(model); plain.save('pruned.keel')`
 */
export function stripPruning(model: Model): Model {
  const handle = pruningHandle(model);
  if (handle) {
    handle.applyMasks();
    forgetPruning(model);
    for (const { layer, kernel } of handle.kernels) {
      if (!(layer instanceof Dense) || kernel.rank !== 2) continue;
      let zeros = 0;
      for (const v of kernel.data) if (v === 0) zeros++;
      if (sparseKernelPays(kernel.size, zeros)) layer.useSparseKernel();
    }
  }
  return model;
}
