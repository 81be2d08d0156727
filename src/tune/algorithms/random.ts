/** Random search: every trial draws each parameter uniformly (log-uniformly for log sampling). */
import type { Sampler } from '../hyperparameters.js';
import { randomSampler } from '../space.js';
import { type AlgorithmContext, FixedLengthAlgorithm } from './algorithm.js';

/** The random-search tuner algorithm. */
export class RandomSearchAlgorithm extends FixedLengthAlgorithm<Record<string, never>> {
  readonly name = 'random';

  constructor() {
    super({});
  }

  /** Draws every parameter independently, from the tuner's seeded random stream. */
  sampler(ctx: AlgorithmContext): Sampler {
    return randomSampler(ctx.rng);
  }
}
