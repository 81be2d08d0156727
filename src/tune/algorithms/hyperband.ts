/**
 * Hyperband (Li et al., JMLR 2018, Algorithm 1): brackets of successive halving that trade the
 * number of configurations against the epochs each gets. Bracket s starts
 * n = ceil((sMax + 1) / (s + 1) · η^s) configurations at R·η^-s epochs and promotes the best
 * 1/η of each rung to η times the epochs, until R. A promotion is a new trial that continues its
 * parent's weights (KerasTuner's Hyperband does the same), so no epoch is trained twice.
 * A rung waits for the whole rung below it (synchronous); with several workers the next bracket
 * starts meanwhile.
 */
import type { Sampler } from '../hyperparameters.js';
import { randomSampler } from '../space.js';
import { isFinished, type TrialRecord } from '../trial.js';
import {
  type AlgorithmContext,
  checkPositiveInt,
  type Job,
  ranked,
  type SearchAlgorithm,
} from './algorithm.js';

/** Options of `Hyperband`. */
export interface HyperbandOptions {
  /** R: the most epochs any configuration trains. */
  maxEpochs: number;
  /** η: the fraction 1/η of each rung is promoted (default 3). */
  factor?: number;
  /** How many times to run the whole set of brackets (default 1). */
  hyperbandIterations?: number;
}

export interface Rung {
  /** Configurations in the rung. */
  n: number;
  /** Total epochs a configuration has after this rung. */
  epochs: number;
}

export class HyperbandAlgorithm implements SearchAlgorithm {
  readonly name = 'hyperband';
  readonly maxEpochs: number;
  readonly factor: number;
  readonly iterations: number;
  /** sMax = floor(log_η R). */
  readonly sMax: number;

  constructor(options: HyperbandOptions) {
    this.maxEpochs = checkPositiveInt('Hyperband', 'maxEpochs', options.maxEpochs);
    this.factor = checkPositiveInt('Hyperband', 'factor', options.factor ?? 3, 2);
    this.iterations = checkPositiveInt(
      'Hyperband',
      'hyperbandIterations',
      options.hyperbandIterations ?? 1,
    );
    this.sMax = Math.floor(Math.log(this.maxEpochs) / Math.log(this.factor) + 1e-9);
  }

  config(): Record<string, unknown> {
    return { maxEpochs: this.maxEpochs, factor: this.factor, hyperbandIterations: this.iterations };
  }

  /** The rungs of bracket b (brackets run s = sMax, ..., 0, then again). */
  bracket(b: number): Rung[] {
    const { factor: eta, sMax, maxEpochs } = this;
    const s = sMax - (b % (sMax + 1));
    const n = Math.ceil(((sMax + 1) / (s + 1)) * eta ** s);
    const rungs: Rung[] = [];
    for (let i = 0; i <= s; i++) {
      rungs.push({
        n: Math.max(1, Math.floor(n * eta ** -i)),
        epochs: Math.max(1, Math.round(maxEpochs * eta ** (i - s))),
      });
    }
    return rungs;
  }

  next(ctx: AlgorithmContext): Job | 'wait' | 'done' {
    let waiting = false;
    for (let b = 0; b < this.iterations * (this.sMax + 1); b++) {
      const job = this.nextInBracket(
        ctx,
        b,
        ctx.trials.filter((t) => t.meta.bracket === b),
      );
      if (job === 'wait') waiting = true;
      else if (job !== 'done') return job;
    }
    return waiting ? 'wait' : 'done';
  }

  private nextInBracket(
    ctx: AlgorithmContext,
    b: number,
    trials: TrialRecord[],
  ): Job | 'wait' | 'done' {
    const rungs = this.bracket(b);
    for (let i = 0; i < rungs.length; i++) {
      const inRung = trials.filter((t) => t.meta.rung === i);
      if (i === 0) {
        if (inRung.length < rungs[0]!.n)
          return { initialEpoch: 0, epochs: rungs[0]!.epochs, bracket: b, rung: 0 };
        continue;
      }
      const below = trials.filter((t) => t.meta.rung === i - 1);
      if (!below.every(isFinished)) return 'wait';
      const promoted = new Set(inRung.map((t) => t.meta.parent));
      const next = ranked(ctx, below)
        .slice(0, rungs[i]!.n)
        .find((t) => !promoted.has(t.number));
      if (next)
        return {
          params: next.params,
          parent: next.number,
          initialEpoch: rungs[i - 1]!.epochs,
          epochs: rungs[i]!.epochs,
          bracket: b,
          rung: i,
        };
    }
    return trials.every(isFinished) ? 'done' : 'wait';
  }

  sampler(ctx: AlgorithmContext): Sampler {
    return randomSampler(ctx.rng);
  }
}
