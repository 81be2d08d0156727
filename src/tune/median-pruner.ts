/**
 * The median stopping rule (Golovin et al., "Google Vizier", 2017; Optuna's MedianPruner): stop a
 * trial at epoch t when its best value so far is worse than the median of the completed trials'
 * values at epoch t.
 */
import type { TrialRecord } from './trial.js';

/** Options of `MedianStoppingPruner`. */
export interface MedianPrunerOptions {
  /** Completed trials needed before anything is pruned (default 5). */
  startupTrials?: number;
  /** Epochs a trial always runs before it can be pruned (default 1). */
  warmupSteps?: number;
}

/**
 * Stops a trial whose best value so far is worse than the completed trials' median at the same
 * epoch.
 */
export class MedianStoppingPruner {
  readonly startupTrials: number;
  readonly warmupSteps: number;

  constructor(options: MedianPrunerOptions = {}) {
    this.startupTrials = options.startupTrials ?? 5;
    this.warmupSteps = options.warmupSteps ?? 1;
    for (const [k, v] of Object.entries({
      startupTrials: this.startupTrials,
      warmupSteps: this.warmupSteps,
    }))
      if (!Number.isInteger(v) || v < 0)
        throw new RangeError(`MedianStoppingPruner: ${k} must be an integer >= 0, got ${v}`);
  }

  /**
   * Whether `trial` should stop after epoch `step`. `signed` maps an objective value to a score
   * where larger is better.
   */
  shouldPrune(
    trials: readonly TrialRecord[],
    trial: TrialRecord,
    step: number,
    signed: (v: number) => number,
  ): boolean {
    if (step < this.warmupSteps) return false;
    const own = trial.intermediate
      .filter((v) => v.step <= step && v.value !== null)
      .map((v) => signed(v.value!));
    if (own.length === 0) return false;
    const others: number[] = [];
    for (const t of trials) {
      if (t.number === trial.number || t.state !== 'complete') continue;
      const at = t.intermediate.find((v) => v.step === step && v.value !== null);
      if (at) others.push(signed(at.value!));
    }
    if (others.length < Math.max(1, this.startupTrials)) return false;
    others.sort((a, b) => a - b);
    const m = others.length;
    const median = m % 2 ? others[(m - 1) / 2]! : (others[m / 2 - 1]! + others[m / 2]!) / 2;
    return Math.max(...own) < median;
  }
}
