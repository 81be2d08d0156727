export { ConstantSparsity, type ConstantSparsityArgs } from './constant-sparsity.js';
export { type KernelValues, magnitudeMasks } from './masks.js';
export { PolynomialDecay, type PolynomialDecayArgs } from './polynomial-decay.js';
export {
  type PruneLowMagnitudeArgs,
  PruningHandle,
  pruneLowMagnitude,
  pruningHandle,
} from './prune-low-magnitude.js';
export type { PruningDecision, PruningSchedule } from './schedule.js';
export { type KernelSparsity, type SparsityReport, sparsity } from './sparsity.js';
export { stripPruning } from './strip-pruning.js';
export type { PruningStructure } from './structure.js';
export { UpdatePruningStep } from './update-pruning-step.js';
