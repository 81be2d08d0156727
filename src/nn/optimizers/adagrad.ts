import type { Tensor, Variable } from '../../tensor/tensor.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface AdagradArgs extends OptimizerArgs {
  /** The starting value of every accumulator; >= 0. */
  initialAccumulatorValue?: number;
  /** Added to the accumulator under the square root. */
  epsilon?: number;
}

/**
 * Adagrad (Duchi et al. 2011), Keras 3's rule: a = a + g²; w -= lr · g / sqrt(a + epsilon),
 * with a starting at initialAccumulatorValue. Slot 'accumulator' (the shape of w).
 * `new Adagrad({learningRate: 0.01})`
 */
export class Adagrad extends Optimizer {
  static override className = 'Adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;

  constructor(args: AdagradArgs = {}) {
    super(args, { learningRate: 0.001, name: 'Adagrad' });
    this.initialAccumulatorValue = args.initialAccumulatorValue ?? 0.1;
    this.epsilon = args.epsilon ?? 1e-7;
    if (!(this.initialAccumulatorValue >= 0))
      throw new RangeError(
        `Adagrad: initialAccumulatorValue must be >= 0, got ${this.initialAccumulatorValue}`,
      );
  }

  protected override slotInitialValue(name: string): number {
    return name === 'accumulator' ? this.initialAccumulatorValue : 0;
  }

  protected updateStep(grad: Tensor, variable: Variable, lr: number, decay: number): void {
    this.decayInPlace(variable, decay);
    const g = grad.data;
    const w = variable.data;
    const a = this.slot(variable, 'accumulator').data;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i]!;
      a[i] = a[i]! + gi * gi;
      w[i] = w[i]! - (lr * gi) / Math.sqrt(a[i]! + this.epsilon);
    }
  }

  /** The options that rebuild this `Adagrad` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      initialAccumulatorValue: this.initialAccumulatorValue,
      epsilon: this.epsilon,
    };
  }
}
