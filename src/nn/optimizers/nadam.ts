import type { Tensor, Variable } from '../../tensor/tensor.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface NadamArgs extends OptimizerArgs {
  /** Decay rate of the first-moment estimate. */
  beta1?: number;
  /** Decay rate of the second-moment estimate. */
  beta2?: number;
  /** Added to sqrt(vHat). */
  epsilon?: number;
}

/**
 * Nadam (Adam with Nesterov momentum, Dozat 2016) with Keras 3's update, t = iterations + 1:
 * u_t = b1 (1 - 0.5 · 0.96^t), P_t = u_1 ··· u_t; m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g²;
 * mHat = u_{t+1} m / (1 - P_t u_{t+1}) + (1 - u_t) g / (1 - P_t); vHat = v / (1 - b2^t);
 * w -= lr · mHat / (sqrt(vHat) + epsilon). Slots 'momentum' and 'velocity' (the shape of w).
 * `new Nadam({learningRate: 1e-3})`
 */
export class Nadam extends Optimizer {
  static override className = 'Nadam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  // P_t depends only on t; cached so each step multiplies one factor (a resumed run recomputes it).
  private productStep = 0;
  private product = 1;

  constructor(args: NadamArgs = {}) {
    super(args, { learningRate: 0.001, name: 'Nadam' });
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
    for (const [k, v] of [
      ['beta1', this.beta1],
      ['beta2', this.beta2],
    ] as const) {
      if (!(v >= 0 && v < 1)) throw new RangeError(`Nadam: ${k} must be in [0, 1), got ${v}`);
    }
  }

  private u(t: number): number {
    return this.beta1 * (1 - 0.5 * 0.96 ** t);
  }

  /** P_t = u_1 ··· u_t, multiplied in step order (the same value however the run got to t). */
  private uProduct(t: number): number {
    if (t < this.productStep) {
      this.productStep = 0;
      this.product = 1;
    }
    while (this.productStep < t) this.product *= this.u(++this.productStep);
    return this.product;
  }

  protected updateStep(grad: Tensor, variable: Variable, lr: number, decay: number): void {
    this.decayInPlace(variable, decay);
    const t = this.iterations + 1;
    const ut = this.u(t);
    const ut1 = this.u(t + 1);
    const pt = this.uProduct(t);
    const pt1 = pt * ut1;
    const c1 = ut1 / (1 - pt1);
    const c2 = (1 - ut) / (1 - pt);
    const bc2 = 1 - this.beta2 ** t;
    const g = grad.data;
    const w = variable.data;
    const m = this.slot(variable, 'momentum').data;
    const v = this.slot(variable, 'velocity').data;
    const b1 = 1 - this.beta1;
    const b2 = 1 - this.beta2;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i]!;
      m[i] = m[i]! + (gi - m[i]!) * b1;
      v[i] = v[i]! + (gi * gi - v[i]!) * b2;
      const mHat = c1 * m[i]! + c2 * gi;
      w[i] = w[i]! - (mHat * lr) / (Math.sqrt(v[i]! / bc2) + this.epsilon);
    }
  }

  /** The options that rebuild this `Nadam` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}
