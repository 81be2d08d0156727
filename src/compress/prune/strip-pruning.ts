import type { Model } from '../../models/model.js';
import { forgetPruning, pruningHandle } from './prune-low-magnitude.js';

/**
 * Ends pruning (tfmot's strip_pruning): the masks are applied one last time and forgotten, and
 * the plain model is returned with its zeros. A model that is not being pruned comes back as is.
 * `const plain = stripPruning(model); plain.save('pruned.keel')`
 */
export function stripPruning(model: Model): Model {
  const handle = pruningHandle(model);
  if (handle) {
    handle.applyMasks();
    forgetPruning(model);
  }
  return model;
}
