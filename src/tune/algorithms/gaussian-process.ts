/**
 * Gaussian-process regression with a Matérn 5/2 kernel on the unit cube (KerasTuner's
 * BayesianOptimization uses scikit-learn's with Matern(nu=2.5)):
 * k(r) = σ²(1 + √5 r/ℓ + 5r²/3ℓ²)·exp(−√5 r/ℓ). Targets are standardised; the length scale ℓ
 * and the noise are chosen by maximising the log marginal likelihood over a grid.
 */

const LENGTH_SCALES = [0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1.2, 2];
const NOISES = [1e-4, 1e-2, 1e-1];

function matern52(a: readonly number[], b: readonly number[], lengthScale: number): number {
  let d2 = 0;
  for (let i = 0; i < a.length; i++) d2 += (a[i]! - b[i]!) ** 2;
  const r = Math.sqrt(5 * d2) / lengthScale;
  return (1 + r + (r * r) / 3) * Math.exp(-r);
}

/** Lower Cholesky factor of a symmetric positive-definite n×n matrix (row-major), or null. */
function cholesky(a: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (s <= 0) return null;
        l[i * n + i] = Math.sqrt(s);
      } else l[i * n + j] = s / l[j * n + j]!;
    }
  }
  return l;
}

/** Solves L·x = b (forward) or Lᵀ·x = b (backward). */
function solveTriangular(
  l: Float64Array,
  n: number,
  b: readonly number[],
  transpose: boolean,
): number[] {
  const x = new Array<number>(n).fill(0);
  if (!transpose) {
    for (let i = 0; i < n; i++) {
      let s = b[i]!;
      for (let k = 0; k < i; k++) s -= l[i * n + k]! * x[k]!;
      x[i] = s / l[i * n + i]!;
    }
  } else {
    for (let i = n - 1; i >= 0; i--) {
      let s = b[i]!;
      for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * x[k]!;
      x[i] = s / l[i * n + i]!;
    }
  }
  return x;
}

/**
 * Gaussian-process regression with a Matérn 5/2 kernel on the unit cube: a predicted mean and
 * variance per point.
 */
export class GaussianProcess {
  private l!: Float64Array;
  private alpha!: number[];
  private mean = 0;
  /** The targets' standard deviation (1 when they are constant). */
  scale = 1;
  lengthScale = 0.5;
  noise = 1e-2;

  constructor(
    private readonly x: readonly (readonly number[])[],
    y: readonly number[],
  ) {
    if (x.length === 0 || x.length !== y.length)
      throw new RangeError(
        `GaussianProcess: needs matching x and y, got ${x.length} and ${y.length}`,
      );
    this.mean = y.reduce((s, v) => s + v, 0) / y.length;
    const sd = Math.sqrt(y.reduce((s, v) => s + (v - this.mean) ** 2, 0) / y.length);
    this.scale = sd > 1e-12 ? sd : 1;
    const z = y.map((v) => (v - this.mean) / this.scale);
    let best = -Infinity;
    for (const ls of LENGTH_SCALES) {
      for (const noise of NOISES) {
        const fit = this.fit(z, ls, noise);
        if (fit && fit.logLikelihood > best) {
          best = fit.logLikelihood;
          [this.l, this.alpha, this.lengthScale, this.noise] = [fit.l, fit.alpha, ls, noise];
        }
      }
    }
    if (best === -Infinity)
      throw new Error('GaussianProcess: the kernel matrix is not positive definite');
  }

  private fit(z: number[], lengthScale: number, noise: number) {
    const n = this.x.length;
    const k = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++)
        k[i * n + j] = matern52(this.x[i]!, this.x[j]!, lengthScale) + (i === j ? noise : 0);
    const l = cholesky(k, n);
    if (!l) return null;
    const alpha = solveTriangular(l, n, solveTriangular(l, n, z, false), true);
    let logDet = 0;
    for (let i = 0; i < n; i++) logDet += Math.log(l[i * n + i]!);
    const fitTerm = z.reduce((s, v, i) => s + v * alpha[i]!, 0);
    return { l, alpha, logLikelihood: -0.5 * fitTerm - logDet - 0.5 * n * Math.log(2 * Math.PI) };
  }

  /** Posterior mean and standard deviation at a point, in the targets' units. */
  predict(point: readonly number[]): { mean: number; std: number } {
    const n = this.x.length;
    const ks = this.x.map((xi) => matern52(xi, point, this.lengthScale));
    const mu = ks.reduce((s, v, i) => s + v * this.alpha[i]!, 0);
    const v = solveTriangular(this.l, n, ks, false);
    const variance = Math.max(1e-12, 1 - v.reduce((s, e) => s + e * e, 0));
    return { mean: this.mean + this.scale * mu, std: this.scale * Math.sqrt(variance) };
  }
}

/** The standard normal CDF (Abramowitz–Stegun 7.1.26 erf, error < 1.5e-7). */
export function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf =
    1 -
    t *
      (0.254829592 +
        t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
      Math.exp(-x * x);
  return z >= 0 ? 0.5 * (1 + erf) : 0.5 * (1 - erf);
}

/** Expected improvement over `best` (maximising): (μ − best − ξ)Φ(z) + σφ(z), z = (μ − best − ξ)/σ. */
export function expectedImprovement(mean: number, std: number, best: number, xi = 0.01): number {
  const d = mean - best - xi;
  if (std <= 0) return Math.max(0, d);
  const z = d / std;
  return d * normalCdf(z) + (std * Math.exp(-0.5 * z * z)) / Math.sqrt(2 * Math.PI);
}
