/** What a pruning schedule says about one training step. */
export interface PruningDecision {
  /** Recompute the masks at this step. */
  shouldPrune: boolean;
  /** The fraction of weights to zero when pruning at this step. */
  sparsity: number;
}

/**
 * When to prune and how much: tfmot's PruningSchedule. `at(step)` is evaluated at the start of
 * each training batch (step 0 is the first batch `UpdatePruningStep` sees).
 */
export interface PruningSchedule {
  /** Whether to prune at this step (0-based training batch) and to what sparsity. */
  at(step: number): PruningDecision;
  /** The schedule's numeric settings (for reports and saving). */
  getConfig(): Record<string, number>;
}

/** Throws a RangeError naming `owner` and `name` unless `value` is in [0, 1). */
export function checkSparsity(owner: string, name: string, value: number): number {
  if (!(typeof value === 'number' && value >= 0 && value < 1)) {
    throw new RangeError(`${owner}: ${name} must be in [0, 1), got ${value}`);
  }
  return value;
}

/** Throws a RangeError unless `value` is an integer >= `min`. */
export function checkInteger(owner: string, name: string, value: number, min: number): number {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new RangeError(`${owner}: ${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

/**
 * tfmot's turn rule: prune at steps begin, begin + frequency, ... up to endStep (-1: no end).
 */
export function isPruningTurn(
  step: number,
  beginStep: number,
  endStep: number,
  frequency: number,
): boolean {
  const inRange = step >= beginStep && (endStep === -1 || step <= endStep);
  return inRange && (step - beginStep) % frequency === 0;
}
