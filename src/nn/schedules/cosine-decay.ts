import { LearningRateSchedule } from './schedule.js';

/** Options of `CosineDecay`. */
export interface CosineDecayArgs {
  initialLearningRate: number;
  /** Steps of the cosine decay (after the warmup). */
  decaySteps: number;
  /** The floor of the decay as a fraction of the decay's starting rate. */
  alpha?: number;
  /** When set, the rate rises linearly from initialLearningRate to warmupTarget over warmupSteps. */
  warmupTarget?: number;
  warmupSteps?: number;
}

/**
 * Cosine decay with optional linear warmup (Keras 3 semantics). Without `warmupTarget`:
 * lr(step) = initial · ((1 - alpha) · 0.5 · (1 + cos(π · min(step, decaySteps) / decaySteps)) + alpha).
 * With it: linear from initial to warmupTarget for step < warmupSteps, then the same cosine from
 * warmupTarget over the next decaySteps. `new CosineDecay({initialLearningRate: 0.1, decaySteps: 1000})`
 */
export class CosineDecay extends LearningRateSchedule {
  static override className = 'CosineDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly alpha: number;
  readonly warmupTarget: number | undefined;
  readonly warmupSteps: number;

  constructor(args: CosineDecayArgs) {
    super();
    if (!(args.decaySteps > 0))
      throw new RangeError(`CosineDecay: decaySteps must be > 0, got ${args.decaySteps}`);
    const warmupSteps = args.warmupSteps ?? 0;
    if (!(warmupSteps >= 0))
      throw new RangeError(`CosineDecay: warmupSteps must be >= 0, got ${warmupSteps}`);
    this.initialLearningRate = args.initialLearningRate;
    this.decaySteps = args.decaySteps;
    this.alpha = args.alpha ?? 0;
    this.warmupTarget = args.warmupTarget;
    this.warmupSteps = warmupSteps;
  }

  private decay(step: number, from: number): number {
    const cosine = 0.5 * (1 + Math.cos((Math.PI * step) / this.decaySteps));
    return from * ((1 - this.alpha) * cosine + this.alpha);
  }

  at(step: number): number {
    if (this.warmupTarget === undefined)
      return this.decay(Math.min(step, this.decaySteps), this.initialLearningRate);
    const s = Math.min(step, this.decaySteps + this.warmupSteps);
    if (s < this.warmupSteps) {
      const fraction = s / this.warmupSteps;
      return (this.warmupTarget - this.initialLearningRate) * fraction + this.initialLearningRate;
    }
    return this.decay(s - this.warmupSteps, this.warmupTarget);
  }

  /** The options that rebuild this `CosineDecay` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return {
      initialLearningRate: this.initialLearningRate,
      decaySteps: this.decaySteps,
      alpha: this.alpha,
      warmupTarget: this.warmupTarget,
      warmupSteps: this.warmupSteps,
    };
  }
}
