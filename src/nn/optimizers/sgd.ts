import { runKernel } from '../../backends/index.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface SGDArgs extends OptimizerArgs {
  /** Accelerates descent in the relevant direction and dampens oscillations; in [0, 1]. */
  momentum?: number;
  nesterov?: boolean;
}

/**
 * Gradient descent with optional (Nesterov) momentum, Keras's rule:
 * m = momentum · m - lr · g; w += m (nesterov: w += momentum · m - lr · g); plain: w -= lr · g.
 * `new SGD({learningRate: 0.1, momentum: 0.9})`
 */
export class SGD extends Optimizer {
  static override className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(args: SGDArgs = {}) {
    super(args, { learningRate: 0.01, name: 'SGD' });
    this.momentum = args.momentum ?? 0;
    this.nesterov = args.nesterov ?? false;
    if (!(this.momentum >= 0 && this.momentum <= 1))
      throw new RangeError(`SGD: momentum must be in [0, 1], got ${this.momentum}`);
  }

  protected updateStep(
    grad: Tensor,
    variable: Variable,
    learningRate: number,
    decay: number,
  ): void {
    const outputs: [Variable, ...Variable[]] =
      this.momentum > 0 ? [variable, this.slot(variable, 'momentum')] : [variable];
    runKernel('sgdUpdate', [grad], outputs, {
      learningRate,
      momentum: this.momentum,
      nesterov: this.nesterov,
      decay,
    });
  }

  /** The options that rebuild this `SGD` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}
