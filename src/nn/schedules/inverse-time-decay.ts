import { LearningRateSchedule } from './schedule.js';

/** Options of `InverseTimeDecay`. */
export interface InverseTimeDecayArgs {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  /** Decay in discrete intervals: floor(step / decaySteps). */
  staircase?: boolean;
}

/**
 * Inverse time decay (Keras 3 semantics): lr(step) = initialLearningRate / (1 + decayRate · step / decaySteps)
 * (step / decaySteps floored when `staircase`).
 * `new InverseTimeDecay({initialLearningRate: 0.1, decaySteps: 1000, decayRate: 0.5})`
 */
export class InverseTimeDecay extends LearningRateSchedule {
  static override className = 'InverseTimeDecay';
  readonly initialLearningRate: number;
  readonly decaySteps: number;
  readonly decayRate: number;
  readonly staircase: boolean;

  constructor(args: InverseTimeDecayArgs) {
    super();
    if (!(args.decaySteps > 0))
      throw new RangeError(`InverseTimeDecay: decaySteps must be > 0, got ${args.decaySteps}`);
    this.initialLearningRate = args.initialLearningRate;
    this.decaySteps = args.decaySteps;
    this.decayRate = args.decayRate;
    this.staircase = args.staircase ?? false;
  }

  at(step: number): number {
    const p = step / this.decaySteps;
    return this.initialLearningRate / (1 + this.decayRate * (this.staircase ? Math.floor(p) : p));
  }

  /** The options that rebuild this `InverseTimeDecay` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return {
      initialLearningRate: this.initialLearningRate,
      decaySteps: this.decaySteps,
      decayRate: this.decayRate,
      staircase: this.staircase,
    };
  }
}
