import {
  checkInteger,
  checkSparsity,
  isPruningTurn,
  type PruningDecision,
  type PruningSchedule,
} from './schedule.js';

/** Options of `ConstantSparsity`. */
export interface ConstantSparsityArgs {
  targetSparsity: number;
  beginStep: number;
  /** The last step that prunes; -1 (default) prunes for the whole run. */
  endStep?: number;
  /** Masks are recomputed every `frequency` steps (default 100). */
  frequency?: number;
}

/**
 * tfmot's ConstantSparsity: the same target at beginStep and every `frequency` steps after it.
 * `new ConstantSparsity({ targetSparsity: 0.8, beginStep: 0 })`
 */
export class ConstantSparsity implements PruningSchedule {
  readonly targetSparsity: number;
  readonly beginStep: number;
  readonly endStep: number;
  readonly frequency: number;

  constructor(args: ConstantSparsityArgs) {
    const owner = 'ConstantSparsity';
    this.targetSparsity = checkSparsity(owner, 'targetSparsity', args.targetSparsity);
    this.beginStep = checkInteger(owner, 'beginStep', args.beginStep, 0);
    const end = args.endStep ?? -1;
    this.endStep = end === -1 ? -1 : checkInteger(owner, 'endStep', end, this.beginStep);
    this.frequency = checkInteger(owner, 'frequency', args.frequency ?? 100, 1);
  }

  /**
   * Prunes to `targetSparsity` at `beginStep` and every `frequency` steps after it, up to
   * `endStep`.
   */
  at(step: number): PruningDecision {
    return {
      shouldPrune: isPruningTurn(step, this.beginStep, this.endStep, this.frequency),
      sparsity: this.targetSparsity,
    };
  }

  /**
   * The options that rebuild this `ConstantSparsity` with `fromConfig` (what serialization saves).
   */
  getConfig(): Record<string, number> {
    const { targetSparsity, beginStep, endStep, frequency } = this;
    return { targetSparsity, beginStep, endStep, frequency };
  }
}
