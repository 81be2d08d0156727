import type { Tensor, Variable } from '../../tensor/tensor.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface AdamaxArgs extends OptimizerArgs {
  /** Decay rate of the first-moment estimate. */
  beta1?: number;
  /** Decay rate of the exponentially weighted infinity norm. */
  beta2?: number;
  /** Added to the infinity norm. */
  epsilon?: number;
}

/**
 * Adamax (Adam with the infinity norm, Kingma and Ba), Keras 3's rule, t = iterations + 1:
 * m = b1 m + (1 - b1) g; u = max(b2 u, |g|); w -= lr · m / ((1 - b1^t)(u + epsilon)).
 * Slots 'momentum' and 'norm' (the shape of w). `new Adamax({learningRate: 2e-3})`
 */
export class Adamax extends Optimizer {
  static override className = 'Adamax';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(args: AdamaxArgs = {}) {
    super(args, { learningRate: 0.001, name: 'Adamax' });
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
    for (const [k, v] of [
      ['beta1', this.beta1],
      ['beta2', this.beta2],
    ] as const) {
      if (!(v >= 0 && v < 1)) throw new RangeError(`Adamax: ${k} must be in [0, 1), got ${v}`);
    }
  }

  protected updateStep(grad: Tensor, variable: Variable, lr: number, decay: number): void {
    this.decayInPlace(variable, decay);
    const t = this.iterations + 1;
    const bc1 = 1 - this.beta1 ** t;
    const g = grad.data;
    const w = variable.data;
    const m = this.slot(variable, 'momentum').data;
    const u = this.slot(variable, 'norm').data;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i]!;
      m[i] = m[i]! + (gi - m[i]!) * (1 - this.beta1);
      u[i] = Math.max(this.beta2 * u[i]!, Math.abs(gi));
      w[i] = w[i]! - (lr * m[i]!) / (bc1 * (u[i]! + this.epsilon));
    }
  }

  /** The options that rebuild this `Adamax` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
