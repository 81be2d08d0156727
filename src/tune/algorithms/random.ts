/** Random search: every trial draws each parameter uniformly (log-uniformly for log sampling). */
import type { Sampler } from '../hyperparameters.js';
import { randomSampler } from '../space.js';
import { type AlgorithmContext, FixedLengthAlgorithm } from './algorithm.js';

export class RandomSearchAlgorithm extends FixedLengthAlgorithm<Record<string, never>> {
  readonly name = 'random';

  constructor() {
    super({});
  }

  sampler(ctx: AlgorithmContext): Sampler {
    return randomSampler(ctx.rng);
  }
}
