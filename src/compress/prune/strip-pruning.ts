import type { Model } from '../../models/model.js';
import { Dense } from '../../nn/layers/dense.js';
import { forgetPruning, pruningHandle } from './prune-low-magnitude.js';

/**
 * The kernel sparsity from which a stripped Dense runs small batches on the sparse kernel
 * (`Dense.useSparseKernel`). At 90% the CSR kernel is >2x faster than the dense GEMM at batch 1
 * (`npm run bench -- --suites compress`); the crossover was not measured finely.
 */
export const SPARSE_KERNEL_MIN_SPARSITY = 0.7;

/**
 * Ends pruning (tfmot's strip_pruning): the masks are applied one last time and forgotten, and
 * the plain model is returned with its zeros. Each pruned Dense whose kernel is at least
 * `SPARSE_KERNEL_MIN_SPARSITY` zeros then runs inference on small batches with the sparse
 * kernel. A model that is not being pruned comes back as is.
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
      if (zeros >= SPARSE_KERNEL_MIN_SPARSITY * kernel.size) layer.useSparseKernel();
    }
  }
  return model;
}
