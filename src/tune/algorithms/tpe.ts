/**
 * Tree-structured Parzen Estimator (Bergstra et al. 2011; Optuna's default sampler, univariate):
 * after `numInitialPoints` random trials the scored trials are split at the γ quantile into the
 * good ones (the best ceil(γ·n), at most 25) and the rest. Each parameter, when build defines it,
 * gets two Parzen estimators over the values it took in those trials, l(x) from the good and g(x)
 * from the rest, and takes the candidate drawn from l that maximises l(x)/g(x).
 * Numbers are modelled in the unit cube of space.ts (log-scaled parameters uniform in log space,
 * each integer a cell of equal width) as truncated Gaussians with Optuna's bandwidths (the wider
 * gap to a sorted neighbour, clipped to [1/min(100, n+1), 1]) plus a wide prior; choices and
 * booleans as smoothed category counts. A conditional parameter is modelled from the trials in
 * which it was defined only (define-by-run: the tree structure of TPE's name).
 */
import type { Rng } from '../../random/rng.js';
import type { ParamSpec, ParamValue, Sampler } from '../hyperparameters.js';
import { decode, encode, randomSampler } from '../space.js';
import type { TrialRecord } from '../trial.js';
import {
  type AlgorithmContext,
  checkSamplerOptions,
  FixedLengthAlgorithm,
  ranked,
} from './algorithm.js';
import { normalCdf } from './gaussian-process.js';

/** Options of `TPE`. */
export interface TpeOptions {
  /** Random trials before the estimators are used (default 10, as Optuna). */
  numInitialPoints?: number;
  /** Candidates drawn from l(x) per parameter (default 24, as Optuna). */
  candidates?: number;
  /** The fraction of scored trials that are 'good' (default 0.1; at most 25 trials, as Optuna). */
  gamma?: number;
  /** Weight of the prior (a wide Gaussian / uniform counts) against each observation (default 1). */
  priorWeight?: number;
}

const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/** A mixture of Gaussians truncated to [0, 1]. */
export class ParzenEstimator {
  readonly mus: number[];
  readonly sigmas: number[];
  readonly weights: number[];

  /** Kernels at `points` (in [0, 1]) plus the prior N(0.5, 1) of weight `priorWeight`. */
  constructor(points: readonly number[], priorWeight = 1) {
    const mus = [...points, 0.5];
    const order = mus.map((_, i) => i).sort((a, b) => mus[a]! - mus[b]!);
    const sorted = order.map((i) => mus[i]!);
    const minSigma = 1 / Math.min(100, points.length + 1);
    const sigmas = new Array<number>(mus.length);
    order.forEach((idx, k) => {
      const left = k > 0 ? sorted[k]! - sorted[k - 1]! : sorted[k]!;
      const right = k < sorted.length - 1 ? sorted[k + 1]! - sorted[k]! : 1 - sorted[k]!;
      sigmas[idx] = Math.min(1, Math.max(minSigma, left, right));
    });
    sigmas[mus.length - 1] = 1; // the prior is wide
    this.mus = mus;
    this.sigmas = sigmas;
    this.weights = [...points.map(() => 1), priorWeight];
  }

  /** A draw: a kernel by weight, then a truncated Gaussian by rejection (clamped after 100 tries). */
  sample(rng: Rng): number {
    const total = this.weights.reduce((s, w) => s + w, 0);
    let r = rng.uniform() * total;
    let i = 0;
    while (i < this.weights.length - 1 && r >= this.weights[i]!) r -= this.weights[i++]!;
    for (let t = 0; t < 100; t++) {
      const v = this.mus[i]! + this.sigmas[i]! * rng.normal();
      if (v >= 0 && v <= 1) return v;
    }
    return Math.min(1, Math.max(0, this.mus[i]!));
  }

  /** log density at x. */
  logPdf(x: number): number {
    const total = this.weights.reduce((s, w) => s + w, 0);
    let p = 0;
    for (let i = 0; i < this.mus.length; i++) {
      const mu = this.mus[i]!;
      const s = this.sigmas[i]!;
      const mass = normalCdf((1 - mu) / s) - normalCdf(-mu / s);
      const z = (x - mu) / s;
      p += (this.weights[i]! / total) * (Math.exp(-0.5 * z * z - LOG_SQRT_2PI) / s / mass);
    }
    return Math.log(Math.max(p, Number.MIN_VALUE));
  }
}

/** log P(value) under counts smoothed by `priorWeight` spread over the categories. */
function categoricalLogPdf(
  counts: readonly number[],
  priorWeight: number,
): (index: number) => number {
  const total = counts.reduce((s, c) => s + c, 0) + priorWeight;
  return (i) => Math.log((counts[i]! + priorWeight / counts.length) / total);
}

function categories(spec: ParamSpec): readonly ParamValue[] {
  if (spec.type === 'choice') return spec.values;
  if (spec.type === 'boolean') return [false, true];
  return [];
}

/** The TPE tuner algorithm. */
export class TpeAlgorithm extends FixedLengthAlgorithm<TpeOptions> {
  readonly name = 'tpe';

  constructor(options: TpeOptions = {}) {
    super(options);
    checkSamplerOptions('TPE', options, 24);
    const gamma = options.gamma ?? 0.1;
    if (!(gamma > 0 && gamma < 1))
      throw new RangeError(`TPE: gamma must be in (0, 1), got ${gamma}`);
    const prior = options.priorWeight ?? 1;
    if (!(prior > 0)) throw new RangeError(`TPE: priorWeight must be > 0, got ${prior}`);
  }

  /** The good and the other scored trials, or null while there are fewer than numInitialPoints. */
  split(ctx: AlgorithmContext): { good: TrialRecord[]; rest: TrialRecord[] } | null {
    const scored = ranked(ctx, ctx.trials);
    if (scored.length === 0 || scored.length < (this.options.numInitialPoints ?? 10)) return null;
    const n = Math.min(25, Math.ceil((this.options.gamma ?? 0.1) * scored.length));
    return { good: scored.slice(0, n), rest: scored.slice(n) };
  }

  /** The value TPE picks for `spec` given the split (the candidate of largest l(x)/g(x)). */
  choose(
    spec: ParamSpec,
    split: { good: TrialRecord[]; rest: TrialRecord[] },
    rng: Rng,
  ): ParamValue {
    if (spec.type === 'fixed') return spec.value;
    const has = (t: TrialRecord) => Object.hasOwn(t.params, spec.name);
    const good = split.good.filter(has).map((t) => t.params[spec.name]!);
    const rest = split.rest.filter(has).map((t) => t.params[spec.name]!);
    const prior = this.options.priorWeight ?? 1;
    const nCandidates = this.options.candidates ?? 24;
    const cats = categories(spec);
    if (cats.length) {
      const count = (vs: ParamValue[]) => cats.map((c) => vs.filter((v) => v === c).length);
      const l = categoricalLogPdf(count(good), prior);
      const g = categoricalLogPdf(count(rest), prior);
      const lw = cats.map((_, i) => Math.exp(l(i)));
      let best = 0;
      let bestScore = -Infinity;
      for (let k = 0; k < nCandidates; k++) {
        let r = rng.uniform();
        let i = 0;
        while (i < cats.length - 1 && r >= lw[i]!) r -= lw[i++]!;
        const score = l(i) - g(i);
        if (score > bestScore) [best, bestScore] = [i, score];
      }
      return cats[best]!;
    }
    const l = new ParzenEstimator(
      good.map((v) => encode(spec, v)),
      prior,
    );
    const g = new ParzenEstimator(
      rest.map((v) => encode(spec, v)),
      prior,
    );
    let best = 0.5;
    let bestScore = -Infinity;
    for (let k = 0; k < nCandidates; k++) {
      const u = l.sample(rng);
      const score = l.logPdf(u) - g.logPdf(u);
      if (score > bestScore) [best, bestScore] = [u, score];
    }
    return decode(spec, best);
  }

  /** Proposes values that maximise l(x)/g(x), the ratio of the good and bad trials' Parzen densities. */
  sampler(ctx: AlgorithmContext): Sampler {
    const split = this.split(ctx);
    if (!split) return randomSampler(ctx.rng);
    return (spec) => this.choose(spec, split, ctx.rng);
  }
}
