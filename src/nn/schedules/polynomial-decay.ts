import { LearningRateSchedule } from './schedule.js';

/** Options of `PolynomialDecay`. */
export interface PolynomialDecayArgs {
  initialLearningRate: number;
  /** Steps to go from initialLearningRate to endLearningRate (one cycle when `cycle`). */
  decaySteps: number;
  endLearningRate?: number;
  power?: number;
  /** Restart the decay after decaySteps, with a cycle length of the next multiple of decaySteps. */
  cycle?: boolean;
}

/**
 * Polynomial decay (Keras 3 semantics): lr(step) = (initial - end) · (1 - s / d)^power + end, with
 * s = min(step, decaySteps), d = decaySteps; with `cycle`, s = step and
 * d = decaySteps · max(1, ceil(step / decaySteps)).
 * `new PolynomialDecay({initialLearningRate: 0.1, decaySteps: 1000, endLearningRate: 0.01, power: 0.5})`
 */
export class PolynomialDecay extends LearningRateSchedule {
  static override className = 'PolynomialDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly endLearningRate: number;
  readonly power: number;
  readonly cycle: boolean;

  constructor(args: PolynomialDecayArgs) {
    super();
    if (!(args.decaySteps > 0))
      throw new RangeError(`PolynomialDecay: decaySteps must be > 0, got ${args.decaySteps}`);
    this.initialLearningRate = args.initialLearningRate;
    this.decaySteps = args.decaySteps;
    this.endLearningRate = args.endLearningRate ?? 0.0001;
    this.power = args.power ?? 1;
    this.cycle = args.cycle ?? false;
  }

  at(step: number): number {
    let d = this.decaySteps;
    let s = step;
    if (this.cycle) d *= step === 0 ? 1 : Math.ceil(step / this.decaySteps);
    else s = Math.min(step, d);
    const end = this.endLearningRate;
    return (this.initialLearningRate - end) * (1 - s / d) ** this.power + end;
  }

  /** The options that rebuild this `PolynomialDecay` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return {
      initialLearningRate: this.initialLearningRate,
      decaySteps: this.decaySteps,
      endLearningRate: this.endLearningRate,
      power: this.power,
      cycle: this.cycle,
    };
  }
}
