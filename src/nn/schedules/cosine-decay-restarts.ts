import { LearningRateSchedule } from './schedule.js';

/** Options of `CosineDecayRestarts`. */
export interface CosineDecayRestartsArgs {
  initialLearningRate: number;
  /** Length of the first period. */
  firstDecaySteps: number;
  /** Each period is tMul times as long as the one before. */
  tMul?: number;
  /** Each period starts at mMul times the previous period's starting rate. */
  mMul?: number;
  /** The floor of each period's decay, as a fraction of initialLearningRate. */
  alpha?: number;
}

/**
 * Cosine decay with warm restarts (SGDR, Loshchilov and Hutter 2017; Keras 3 semantics): with
 * f = step / firstDecaySteps, restart i is the largest with S_i = (1 - tMul^i) / (1 - tMul) <= f
 * (S_i = i when tMul = 1) and c = (f - S_i) / tMul^i its completed fraction;
 * lr(step) = initial · ((1 - alpha) · 0.5 · mMul^i · (1 + cos(π c)) + alpha). With tMul < 1
 * the periods sum to firstDecaySteps / (1 - tMul); past that the rate stays at initial · alpha.
 * `new CosineDecayRestarts({initialLearningRate: 0.1, firstDecaySteps: 1000})`
 */
export class CosineDecayRestarts extends LearningRateSchedule {
  static override className = 'CosineDecayRestarts';
  readonly initialLearningRate: number;
  readonly firstDecaySteps: number;
  readonly tMul: number;
  readonly mMul: number;
  readonly alpha: number;

  constructor(args: CosineDecayRestartsArgs) {
    super();
    if (!(args.firstDecaySteps > 0))
      throw new RangeError(
        `CosineDecayRestarts: firstDecaySteps must be > 0, got ${args.firstDecaySteps}`,
      );
    const tMul = args.tMul ?? 2;
    if (!(tMul > 0)) throw new RangeError(`CosineDecayRestarts: tMul must be > 0, got ${tMul}`);
    this.initialLearningRate = args.initialLearningRate;
    this.firstDecaySteps = args.firstDecaySteps;
    this.tMul = tMul;
    this.mMul = args.mMul ?? 1;
    this.alpha = args.alpha ?? 0;
  }

  /** S_i: where restart i begins, in units of firstDecaySteps. */
  private restartStart(i: number): number {
    return this.tMul === 1 ? i : (1 - this.tMul ** i) / (1 - this.tMul);
  }

  at(step: number): number {
    const f = step / this.firstDecaySteps;
    const t = this.tMul;
    let i = t === 1 ? Math.floor(f) : Math.floor(Math.log(1 - f * (1 - t)) / Math.log(t));
    // The logarithm can land a hair below a whole number at a restart; settle i exactly.
    if (t < 1 && f >= 1 / (1 - t)) i = Number.POSITIVE_INFINITY;
    else {
      while (this.restartStart(i + 1) <= f) i++;
      while (i > 0 && this.restartStart(i) > f) i--;
    }
    const completed = Number.isFinite(i) ? (f - this.restartStart(i)) / t ** i : 1;
    const m = Number.isFinite(i) ? this.mMul ** i : 0;
    const cosine = 0.5 * m * (1 + Math.cos(Math.PI * completed));
    return this.initialLearningRate * ((1 - this.alpha) * cosine + this.alpha);
  }

  /** The options that rebuild this `CosineDecayRestarts` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return {
      initialLearningRate: this.initialLearningRate,
      firstDecaySteps: this.firstDecaySteps,
      tMul: this.tMul,
      mMul: this.mMul,
      alpha: this.alpha,
    };
  }
}
