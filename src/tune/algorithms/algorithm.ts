/**
 * What a search algorithm decides: which trial runs next (a new configuration, or a promotion that
 * continues an earlier trial's weights for more epochs) and how new configurations are drawn.
 * Algorithms keep no state of their own: every decision is computed from the study's trials, so
 * a search resumed from its store makes the same decisions as one that never stopped.
 */
import type { Rng } from '../../random/rng.js';
import type { ParamSpec, Params, Sampler } from '../hyperparameters.js';
import type { TrialRecord } from '../trial.js';

export interface AlgorithmContext {
  trials: readonly TrialRecord[];
  /** Every parameter trials have defined so far. */
  space: readonly ParamSpec[];
  /** The trial's score on the first objective, signed so larger is better; null without one. */
  score(trial: TrialRecord): number | null;
  /** search()'s epochs: what one trial of a fixed-length algorithm trains. */
  epochs: number;
  /** Seeded for this decision (the study's seed and the trial number), so resumed runs repeat. */
  rng: Rng;
}

/** One trial to run: train epochs [initialEpoch, epochs) of `params` (drawn anew when absent). */
export interface Job {
  params?: Params;
  initialEpoch: number;
  epochs: number;
  /** The trial whose weights a promotion continues. */
  parent?: number;
  bracket?: number;
  rung?: number;
}

export interface SearchAlgorithm {
  readonly name: string;
  /** The settings, stored with the study. */
  config(): Record<string, unknown>;
  /** The next trial, 'wait' until a running trial finishes, or 'done'. */
  next(ctx: AlgorithmContext): Job | 'wait' | 'done';
  /** Draws the parameters of a new trial, one at a time as build defines them. */
  sampler(ctx: AlgorithmContext): Sampler;
}

/** Ranks trials best first by score; trials without a score are left out. */
export function ranked(ctx: AlgorithmContext, trials: readonly TrialRecord[]): TrialRecord[] {
  return trials
    .filter((t) => ctx.score(t) !== null)
    .sort((a, b) => ctx.score(b)! - ctx.score(a)! || a.number - b.number);
}

export function checkPositiveInt(where: string, name: string, v: number, least = 1): number {
  if (!Number.isInteger(v) || v < least)
    throw new RangeError(`${where}: ${name} must be an integer >= ${least}, got ${v}`);
  return v;
}

/**
 * An algorithm whose every trial is a new configuration trained for search()'s epochs from scratch
 * (random search, the Bayesian and TPE samplers); they differ only in how they draw parameters.
 * Its settings are its options, those given.
 */
export abstract class FixedLengthAlgorithm<Options extends object> implements SearchAlgorithm {
  abstract readonly name: string;

  constructor(protected readonly options: Options) {}

  config(): Record<string, unknown> {
    return Object.fromEntries(Object.entries(this.options).filter(([, v]) => v !== undefined));
  }

  next(ctx: AlgorithmContext): Job {
    return { initialEpoch: 0, epochs: ctx.epochs };
  }

  abstract sampler(ctx: AlgorithmContext): Sampler;
}

/** Checks the options model-based samplers share: numInitialPoints (optional) and candidates. */
export function checkSamplerOptions(
  where: string,
  options: { numInitialPoints?: number; candidates?: number },
  defaultCandidates: number,
): void {
  if (options.numInitialPoints !== undefined)
    checkPositiveInt(where, 'numInitialPoints', options.numInitialPoints);
  checkPositiveInt(where, 'candidates', options.candidates ?? defaultCandidates);
}
