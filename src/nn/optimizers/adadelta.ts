import type { Tensor, Variable } from '../../tensor/tensor.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface AdadeltaArgs extends OptimizerArgs {
  /** Decay rate of both running averages. */
  rho?: number;
  /** Added under each square root. */
  epsilon?: number;
}

/**
 * Adadelta (Zeiler 2012), Keras 3's rule: Eg = rho Eg + (1 - rho) g²;
 * d = -sqrt(Ed + eps) / sqrt(Eg + eps) · g; Ed = rho Ed + (1 - rho) d²; w += lr · d.
 * Slots 'accumulated_grad' and 'accumulated_delta_var' (the shape of w). Keras's default
 * learningRate is 0.001 (the paper's is 1.0, much faster). `new Adadelta({learningRate: 1})`
 */
export class Adadelta extends Optimizer {
  static override className = 'Adadelta';
  readonly rho: number;
  readonly epsilon: number;

  constructor(args: AdadeltaArgs = {}) {
    super(args, { learningRate: 0.001, name: 'Adadelta' });
    this.rho = args.rho ?? 0.95;
    this.epsilon = args.epsilon ?? 1e-7;
    if (!(this.rho >= 0 && this.rho <= 1))
      throw new RangeError(`Adadelta: rho must be in [0, 1], got ${this.rho}`);
  }

  protected updateStep(grad: Tensor, variable: Variable, lr: number, decay: number): void {
    this.decayInPlace(variable, decay);
    const g = grad.data;
    const w = variable.data;
    const eg = this.slot(variable, 'accumulated_grad').data;
    const ed = this.slot(variable, 'accumulated_delta_var').data;
    const rho = this.rho;
    const eps = this.epsilon;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i]!;
      eg[i] = rho * eg[i]! + (1 - rho) * gi * gi;
      const d = -(Math.sqrt(ed[i]! + eps) * gi) / Math.sqrt(eg[i]! + eps);
      ed[i] = rho * ed[i]! + (1 - rho) * d * d;
      w[i] = w[i]! + lr * d;
    }
  }

  /** The options that rebuild this `Adadelta` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon };
  }
}
