import { runKernel } from '../../backends/index.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface RMSpropArgs extends OptimizerArgs {
  /** Discounting factor of the moving average of squared gradients. */
  rho?: number;
  /** Plain (not Nesterov) momentum on the scaled step; 0 for none. */
  momentum?: number;
  epsilon?: number;
  /** Normalise by the estimated variance (v - mean(g)²) instead of the second moment. */
  centered?: boolean;
}

/**
 * RMSprop, Keras's rule: v = rho v + (1 - rho) g²; step = lr · g / sqrt(v + eps)
 * (centered: sqrt(v - a² + eps) with a = rho a + (1 - rho) g); with momentum mom = momentum · mom + step.
 * `new RMSprop({learningRate: 1e-3})`
 */
export class RMSprop extends Optimizer {
  static override className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(args: RMSpropArgs = {}) {
    super(args, { learningRate: 0.001, name: 'RMSprop' });
    this.rho = args.rho ?? 0.9;
    this.momentum = args.momentum ?? 0;
    this.epsilon = args.epsilon ?? 1e-7;
    this.centered = args.centered ?? false;
    if (!(this.momentum >= 0))
      throw new RangeError(`RMSprop: momentum must be >= 0, got ${this.momentum}`);
  }

  protected updateStep(
    grad: Tensor,
    variable: Variable,
    learningRate: number,
    decay: number,
  ): void {
    const outputs: [Variable, ...Variable[]] = [variable, this.slot(variable, 'velocity')];
    if (this.momentum > 0) outputs.push(this.slot(variable, 'momentum'));
    if (this.centered) outputs.push(this.slot(variable, 'average_gradient'));
    runKernel('rmspropUpdate', [grad], outputs, {
      learningRate,
      rho: this.rho,
      momentum: this.momentum,
      epsilon: this.epsilon,
      centered: this.centered,
      decay,
    });
  }

  /** The options that rebuild this `RMSprop` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      rho: this.rho,
      momentum: this.momentum,
      epsilon: this.epsilon,
      centered: this.centered,
    };
  }
}
