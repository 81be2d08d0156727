import type { Tensor, Variable } from '../../tensor/tensor.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface LionArgs extends OptimizerArgs {
  /** Interpolation between momentum and gradient for the update's sign; in (0, 1]. */
  beta1?: number;
  /** Decay rate of the momentum. */
  beta2?: number;
}

/**
 * Lion (Chen et al. 2023, "Symbolic Discovery of Optimization Algorithms"), Keras 3's rule:
 * w -= lr · sign(b1 m + (1 - b1) g); m = b2 m + (1 - b2) g. Slot 'momentum' (the shape of w).
 * Its steps have size lr per element, so it wants a 3-10x smaller rate than Adam.
 * `new Lion({learningRate: 1e-4})`
 */
export class Lion extends Optimizer {
  static override className = 'Lion';
  readonly beta1: number;
  readonly beta2: number;

  constructor(args: LionArgs = {}) {
    super(args, { learningRate: 0.001, name: 'Lion' });
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.99;
    // beta1 = 0 would make it SignSGD, as Keras says.
    if (!(this.beta1 > 0 && this.beta1 <= 1))
      throw new RangeError(`Lion: beta1 must be in (0, 1], got ${this.beta1}`);
    if (!(this.beta2 >= 0 && this.beta2 <= 1))
      throw new RangeError(`Lion: beta2 must be in [0, 1], got ${this.beta2}`);
  }

  protected updateStep(grad: Tensor, variable: Variable, lr: number, decay: number): void {
    this.decayInPlace(variable, decay);
    const g = grad.data;
    const w = variable.data;
    const m = this.slot(variable, 'momentum').data;
    const b1 = this.beta1;
    const b2 = this.beta2;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i]!;
      w[i] = w[i]! - lr * Math.sign(m[i]! * b1 + gi * (1 - b1));
      m[i] = m[i]! * b2 + gi * (1 - b2);
    }
  }

  /** The options that rebuild this `Lion` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2 };
  }
}
