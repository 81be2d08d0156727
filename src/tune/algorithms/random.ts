/** Random search: every trial draws each parameter uniformly (log-uniformly for log sampling). */
import type { Sampler } from '../hyperparameters.js';
import { randomSampler } from '../space.js';
import type { AlgorithmContext, Job, SearchAlgorithm } from './algorithm.js';

export class RandomSearchAlgorithm implements SearchAlgorithm {
  readonly name = 'random';

  config(): Record<string, unknown> {
    return {};
  }

  next(ctx: AlgorithmContext): Job {
    return { initialEpoch: 0, epochs: ctx.epochs };
  }

  sampler(ctx: AlgorithmContext): Sampler {
    return randomSampler(ctx.rng);
  }
}
