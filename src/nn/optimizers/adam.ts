import { runKernel } from '../../backends/index.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface AdamArgs extends OptimizerArgs {
  /** Decay rate of the first-moment estimate. */
  beta1?: number;
  /** Decay rate of the second-moment estimate. */
  beta2?: number;
  /** Added to sqrt(v) ("epsilon hat" of Kingma and Ba). */
  epsilon?: number;
  /** Use the maximum of past second moments (Reddi et al., "On the Convergence of Adam"). */
  amsgrad?: boolean;
}

/**
 * Adam with Keras 3's exact update: m = b1 m + (1 - b1) g; v = b2 v + (1 - b2) g²;
 * alpha = lr · sqrt(1 - b2^t) / (1 - b1^t); w -= alpha · m / (sqrt(v) + epsilon), t = iterations + 1.
 * `new Adam({learningRate: 1e-3})`
 */
export class Adam extends Optimizer {
  static override className = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;

  constructor(args: AdamArgs = {}, defaultName = 'Adam') {
    super(args, { learningRate: 0.001, name: defaultName });
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
    this.amsgrad = args.amsgrad ?? false;
    for (const [k, v] of [
      ['beta1', this.beta1],
      ['beta2', this.beta2],
    ] as const) {
      if (!(v >= 0 && v < 1))
        throw new RangeError(`${this.name}: ${k} must be in [0, 1), got ${v}`);
    }
  }

  protected override get fusesGradientScale(): boolean {
    return true;
  }

  protected updateStep(
    grad: Tensor,
    variable: Variable,
    learningRate: number,
    decay: number,
    gradScale: number,
  ): void {
    const t = this.iterations + 1;
    const alpha = (learningRate * Math.sqrt(1 - this.beta2 ** t)) / (1 - this.beta1 ** t);
    const outputs: [Variable, ...Variable[]] = [
      variable,
      this.slot(variable, 'momentum'),
      this.slot(variable, 'velocity'),
    ];
    if (this.amsgrad) outputs.push(this.slot(variable, 'velocity_hat'));
    runKernel('adamUpdate', [grad], outputs, {
      alpha,
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      amsgrad: this.amsgrad,
      decay,
      gradScale,
    });
  }

  /** The options that rebuild this `Adam` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      beta1: this.beta1,
      beta2: this.beta2,
      epsilon: this.epsilon,
      amsgrad: this.amsgrad,
    };
  }
}
