import { LearningRateSchedule } from './schedule.js';

/**
 * A step function: values[0] while step <= boundaries[0], values[i] while
 * boundaries[i-1] < step <= boundaries[i], and values[n] after the last boundary.
 * `new PiecewiseConstantDecay([1000, 2000], [0.1, 0.01, 0.001])`
 */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  static override className = 'PiecewiseConstantDecay';
  readonly boundaries: readonly number[];
  readonly values: readonly number[];

  constructor(boundaries: readonly number[], values: readonly number[]) {
    super();
    if (values.length !== boundaries.length + 1) {
      throw new RangeError(
        `PiecewiseConstantDecay: values must have one more element than boundaries; got ${values.length} values and ${boundaries.length} boundaries`,
      );
    }
    for (let i = 1; i < boundaries.length; i++) {
      if (!(boundaries[i]! > boundaries[i - 1]!))
        throw new RangeError(
          `PiecewiseConstantDecay: boundaries must be increasing, got [${boundaries.join(', ')}]`,
        );
    }
    this.boundaries = [...boundaries];
    this.values = [...values];
  }

  at(step: number): number {
    const b = this.boundaries;
    for (let i = 0; i < b.length; i++) if (step <= b[i]!) return this.values[i]!;
    return this.values[b.length]!;
  }

  /**
   * The options that rebuild this `PiecewiseConstantDecay` with `fromConfig` (what serialization
   * saves).
   */
  getConfig(): Record<string, unknown> {
    return { boundaries: [...this.boundaries], values: [...this.values] };
  }
}
