import type { Tensor, Variable } from '../../tensor/tensor.js';
import type { LearningRateSchedule } from '../schedules/schedule.js';

/** Keras's common optimizer arguments. */
export interface OptimizerArgs {
  /** A number or a schedule evaluated at `iterations`. */
  learningRate?: number | LearningRateSchedule;
  /** Clip each gradient to this L2 norm. */
  clipnorm?: number;
  /** Clip each gradient element to [-clipvalue, clipvalue]. */
  clipvalue?: number;
  /** Clip all gradients together to this global L2 norm. */
  globalClipnorm?: number;
  name?: string;
}

/**
 * The base of every optimizer: clipping and the learning-rate schedule are handled here, the
 * update rule in `updateStep`. Slot variables (moments) are created lazily per weight.
 * `optimizer.applyGradients([[grad, variable], ...])`
 */
export abstract class Optimizer {
  static className = 'Optimizer';
  /** Number of update steps applied so far. */
  iterations = 0;
  readonly clipnorm: number | undefined;
  readonly clipvalue: number | undefined;
  readonly globalClipnorm: number | undefined;
  name: string;
  protected schedule: LearningRateSchedule | null;
  protected fixedLearningRate: number;

  constructor(args: OptimizerArgs, defaults: { learningRate: number; name: string }) {
    const lr = args.learningRate ?? defaults.learningRate;
    this.schedule = typeof lr === 'number' ? null : lr;
    this.fixedLearningRate = typeof lr === 'number' ? lr : Number.NaN;
    if (typeof lr === 'number' && !(lr >= 0))
      throw new RangeError(`${defaults.name}: learningRate must be >= 0, got ${lr}`);
    this.clipnorm = args.clipnorm;
    this.clipvalue = args.clipvalue;
    this.globalClipnorm = args.globalClipnorm;
    this.name = args.name ?? defaults.name;
  }

  /** The learning rate of the next step (a schedule is evaluated at `iterations`). */
  get learningRate(): number {
    return this.schedule ? this.schedule.at(this.iterations) : this.fixedLearningRate;
  }

  /** Sets a fixed learning rate, replacing any schedule (ReduceLROnPlateau, LearningRateScheduler). */
  set learningRate(value: number) {
    this.schedule = null;
    this.fixedLearningRate = value;
  }

  /** Applies one update per (gradient, variable) pair, then increments `iterations`. */
  abstract applyGradients(gradsAndVars: readonly (readonly [Tensor, Variable])[]): void;

  getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      learningRate: this.schedule ? this.schedule.getConfig() : this.fixedLearningRate,
      clipnorm: this.clipnorm,
      clipvalue: this.clipvalue,
      globalClipnorm: this.globalClipnorm,
    };
  }
}
