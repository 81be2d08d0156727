import { weightBudget } from '../nn/engine/layer.js';
import { withAllocationBudget } from '../tensor/allocation-budget.js';

/**
 * The memory budget every model loader (Keel files, TensorFlow.js, ONNX, GPT-2 weights) runs its
 * rebuild under, so a small file declaring a huge model is an error before the memory is taken.
 */
export interface LoadBudget {
  /** Layer weight elements the rebuild may create (about what the file's tensors hold). */
  weightElements: number;
  /** Bytes of tensor storage the rebuild may allocate: weights, dry runs, folded constants. */
  bytes: number;
  /** Skip weight initializers: the file supplies every weight, so their work would be wasted. */
  skipInitializers: boolean;
}

/**
 * The default of `maxActivationBytes` (bytes a load may allocate beyond the file's own tensors)
 * for a file holding `tensorBytes` of tensors: the larger of 64 MiB and 16 times that.
 */
export function defaultActivationBytes(tensorBytes: number): number {
  return Math.max(64 * 2 ** 20, 16 * tensorBytes);
}

/** `maxActivationBytes` given by the caller, checked, or its default. */
export function activationBytes(
  given: number | undefined,
  tensorBytes: number,
  source: string,
): number {
  const bytes = given ?? defaultActivationBytes(tensorBytes);
  if (!(bytes >= 0))
    throw new RangeError(`${source}: maxActivationBytes must be >= 0, got ${bytes}`);
  return bytes;
}

/** Runs `fn` under `budget` (nested budgets only shrink), restoring the previous limits after. */
export function withLoadBudget<T>(budget: LoadBudget, fn: () => T): T {
  const previous = { ...weightBudget };
  weightBudget.remaining = Math.min(previous.remaining, budget.weightElements);
  weightBudget.skipInitializers = previous.skipInitializers || budget.skipInitializers;
  try {
    return withAllocationBudget(budget.bytes, fn);
  } finally {
    weightBudget.remaining = previous.remaining;
    weightBudget.skipInitializers = previous.skipInitializers;
  }
}
