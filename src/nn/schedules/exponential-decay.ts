import { LearningRateSchedule } from './schedule.js';

/** Options of `ExponentialDecay`. */
export interface ExponentialDecayArgs {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** Decay in discrete intervals: the exponent is floor(step / decaySteps). */
  staircase?: boolean;
}

/**
 * lr(step) = initialLearningRate · decayRate^(step / decaySteps) (the exponent floored when
 * `staircase`). `new ExponentialDecay({initialLearningRate: 0.1, decaySteps: 1000, decayRate: 0.96})`
 */
export class ExponentialDecay extends LearningRateSchedule {
  static override className = 'ExponentialDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;

  constructor(args: ExponentialDecayArgs) {
    super();
    if (!(args.decaySteps > 0))
      throw new RangeError(`ExponentialDecay: decaySteps must be > 0, got ${args.decaySteps}`);
    this.initialLearningRate = args.initialLearningRate;
    this.decaySteps = args.decaySteps;
    this.decayRate = args.decayRate;
    this.staircase = args.staircase ?? false;
  }

  at(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate * this.decayRate ** p;
  }

  /**
   * The options that rebuild this `ExponentialDecay` with `fromConfig` (what serialization saves).
   */
  getConfig(): Record<string, unknown> {
    return {
      initialLearningRate: this.initialLearningRate,
      decaySteps: this.decaySteps,
      decayRate: this.decayRate,
      staircase: this.staircase,
    };
  }
}
