/**
 * ASHA, asynchronous successive halving (Li et al., MLSys 2020, Algorithm 2): rungs at
 * minEpochs·η^k epochs up to maxEpochs. Whenever a worker is free, the best trial of the highest
 * rung that is in the top 1/η of its rung and not yet promoted continues to the next rung;
 * otherwise a new configuration starts at the bottom rung. No worker ever waits for a rung.
 */
import type { Sampler } from '../hyperparameters.js';
import { randomSampler } from '../space.js';
import {
  type AlgorithmContext,
  checkPositiveInt,
  type Job,
  ranked,
  type SearchAlgorithm,
} from './algorithm.js';

/** Options of `ASHA`: the most and fewest epochs per trial and the reduction factor. */
export interface AshaOptions {
  maxEpochs: number;
  /** Epochs of the bottom rung (default 1). */
  minEpochs?: number;
  /** η (default 3). */
  factor?: number;
}

export class AshaAlgorithm implements SearchAlgorithm {
  readonly name = 'asha';
  readonly factor: number;
  /** Epochs after each rung, bottom first; the last is maxEpochs. */
  readonly rungEpochs: number[] = [];

  constructor(options: AshaOptions) {
    const maxEpochs = checkPositiveInt('ASHA', 'maxEpochs', options.maxEpochs);
    const minEpochs = checkPositiveInt('ASHA', 'minEpochs', options.minEpochs ?? 1);
    this.factor = checkPositiveInt('ASHA', 'factor', options.factor ?? 3, 2);
    if (minEpochs > maxEpochs)
      throw new RangeError(`ASHA: minEpochs (${minEpochs}) exceeds maxEpochs (${maxEpochs})`);
    for (let e = minEpochs; e < maxEpochs; e *= this.factor) this.rungEpochs.push(e);
    this.rungEpochs.push(maxEpochs);
  }

  config(): Record<string, unknown> {
    return { rungEpochs: this.rungEpochs, factor: this.factor };
  }

  next(ctx: AlgorithmContext): Job {
    for (let k = this.rungEpochs.length - 2; k >= 0; k--) {
      const inRung = ctx.trials.filter(
        (t) => t.meta.rung === k && t.state !== 'running' && t.state !== 'waiting',
      );
      const promoted = new Set(
        ctx.trials.filter((t) => t.meta.rung === k + 1).map((t) => t.meta.parent),
      );
      const top = ranked(ctx, inRung).slice(0, Math.floor(inRung.length / this.factor));
      const next = top.find((t) => !promoted.has(t.number));
      if (next)
        return {
          params: next.params,
          parent: next.number,
          initialEpoch: this.rungEpochs[k]!,
          epochs: this.rungEpochs[k + 1]!,
          rung: k + 1,
        };
    }
    return { initialEpoch: 0, epochs: this.rungEpochs[0]!, rung: 0 };
  }

  sampler(ctx: AlgorithmContext): Sampler {
    return randomSampler(ctx.rng);
  }
}
