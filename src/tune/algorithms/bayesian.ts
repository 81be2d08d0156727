/**
 * Bayesian optimisation (KerasTuner's default tuner): after `numInitialPoints` random trials, a
 * Gaussian process (Matérn 5/2) is fitted to the scored trials' points in the unit cube and the next
 * configuration maximises expected improvement over random candidates and perturbations of the
 * best points so far. Parameters build defines for the first time are drawn at random.
 */
import type { Sampler } from '../hyperparameters.js';
import { decode, encodePoint, randomSampler } from '../space.js';
import {
  type AlgorithmContext,
  checkSamplerOptions,
  FixedLengthAlgorithm,
  ranked,
} from './algorithm.js';
import { expectedImprovement, GaussianProcess } from './gaussian-process.js';

/** Options of `BayesianOptimization`. */
export interface BayesianOptions {
  /** Random trials before the model is used (default 3 · dimensions, at least 3, as KerasTuner). */
  numInitialPoints?: number;
  /** Random candidates scored per proposal (default 2000). */
  candidates?: number;
  /** EI's exploration margin ξ in standardised units (default 0.01). */
  xi?: number;
}

/** Gaussian-process Bayesian optimisation (KerasTuner's default), as a tuner algorithm. */
export class BayesianAlgorithm extends FixedLengthAlgorithm<BayesianOptions> {
  readonly name = 'bayesian';

  constructor(options: BayesianOptions = {}) {
    super(options);
    checkSamplerOptions('BayesianOptimization', options, 2000);
  }

  /** The unit-cube point the model proposes, or null while there are too few scored trials. */
  propose(ctx: AlgorithmContext): number[] | null {
    const scored = ranked(ctx, ctx.trials);
    const dims = ctx.space.length;
    const initial = this.options.numInitialPoints ?? Math.max(3, 3 * dims);
    if (dims === 0 || scored.length < initial) return null;
    const x = scored.map((t) => encodePoint(ctx.space, t.params));
    const y = scored.map((t) => ctx.score(t)!);
    const gp = new GaussianProcess(x, y);
    const best = Math.max(...y);
    const { rng } = ctx;
    const candidates: number[][] = [];
    for (let i = 0; i < (this.options.candidates ?? 2000); i++)
      candidates.push(ctx.space.map(() => rng.uniform()));
    for (const start of x.slice(0, 5))
      for (let i = 0; i < 100; i++)
        candidates.push(start.map((v) => Math.min(1, Math.max(0, v + 0.1 * rng.normal()))));
    let bestPoint = candidates[0]!;
    let bestEi = -Infinity;
    for (const c of candidates) {
      const { mean, std } = gp.predict(c);
      const ei = expectedImprovement(mean, std, best, (this.options.xi ?? 0.01) * gp.scale);
      if (ei > bestEi) [bestEi, bestPoint] = [ei, c];
    }
    return bestPoint;
  }

  /** Proposes the next trial's values by expected improvement under the fitted Gaussian process. */
  sampler(ctx: AlgorithmContext): Sampler {
    const point = this.propose(ctx);
    const random = randomSampler(ctx.rng);
    if (!point) return random;
    const space = ctx.space;
    return (spec) => {
      const i = space.findIndex((s) => s.name === spec.name);
      return i < 0 ? random(spec) : decode(spec, point[i]!);
    };
  }
}
