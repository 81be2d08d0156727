import type { Tensor, Variable } from '../../tensor/tensor.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface FtrlArgs extends OptimizerArgs {
  /** How the per-coordinate rate falls with the accumulator; <= 0 (-0.5: 1/sqrt). */
  learningRatePower?: number;
  /** The starting value of every accumulator; >= 0. */
  initialAccumulatorValue?: number;
  /** L1 strength; >= 0 (drives small weights exactly to zero). */
  l1RegularizationStrength?: number;
  /** L2 strength; >= 0. */
  l2RegularizationStrength?: number;
  /** L2 shrinkage strength (a penalty on the weights added to the gradient); >= 0. */
  l2ShrinkageRegularizationStrength?: number;
  /** Added as beta / (2 lr) to the L2 strength (McMahan et al.'s beta). */
  beta?: number;
}

/**
 * FTRL-Proximal (McMahan et al. 2013), Keras 3's rule with p = -learningRatePower,
 * l2' = l2 + beta / (2 lr): n' = n + g²; z += g + 2 l2Shrinkage w - (n'^p - n^p) / lr · w;
 * w = (clip(z, -l1, l1) - z) / (n'^p / lr + 2 l2'); n = n'. Slots 'accumulator' (starting at
 * initialAccumulatorValue) and 'linear' (the shape of w). `new Ftrl({learningRate: 0.05, l1RegularizationStrength: 1e-3})`
 */
export class Ftrl extends Optimizer {
  static override className = 'Ftrl';
  readonly learningRatePower: number;
  readonly initialAccumulatorValue: number;
  readonly l1RegularizationStrength: number;
  readonly l2RegularizationStrength: number;
  readonly l2ShrinkageRegularizationStrength: number;
  readonly beta: number;

  constructor(args: FtrlArgs = {}) {
    super(args, { learningRate: 0.001, name: 'Ftrl' });
    this.learningRatePower = args.learningRatePower ?? -0.5;
    this.initialAccumulatorValue = args.initialAccumulatorValue ?? 0.1;
    this.l1RegularizationStrength = args.l1RegularizationStrength ?? 0;
    this.l2RegularizationStrength = args.l2RegularizationStrength ?? 0;
    this.l2ShrinkageRegularizationStrength = args.l2ShrinkageRegularizationStrength ?? 0;
    this.beta = args.beta ?? 0;
    if (!(this.learningRatePower <= 0))
      throw new RangeError(`Ftrl: learningRatePower must be <= 0, got ${this.learningRatePower}`);
    for (const k of [
      'initialAccumulatorValue',
      'l1RegularizationStrength',
      'l2RegularizationStrength',
      'l2ShrinkageRegularizationStrength',
    ] as const) {
      if (!(this[k] >= 0)) throw new RangeError(`Ftrl: ${k} must be >= 0, got ${this[k]}`);
    }
  }

  protected override slotInitialValue(name: string): number {
    return name === 'accumulator' ? this.initialAccumulatorValue : 0;
  }

  protected updateStep(grad: Tensor, variable: Variable, lr: number, decay: number): void {
    this.decayInPlace(variable, decay);
    const g = grad.data;
    const w = variable.data;
    const acc = this.slot(variable, 'accumulator').data;
    const z = this.slot(variable, 'linear').data;
    const p = -this.learningRatePower;
    const l1 = this.l1RegularizationStrength;
    const l2 = this.l2RegularizationStrength + this.beta / (2 * lr);
    const shrink = 2 * this.l2ShrinkageRegularizationStrength;
    for (let i = 0; i < w.length; i++) {
      const gi = g[i]!;
      const wi = w[i]!;
      const nNew = acc[i]! + gi * gi;
      const nNewP = nNew ** p;
      z[i] = z[i]! + (gi + shrink * wi - ((nNewP - acc[i]! ** p) / lr) * wi);
      const zi = z[i]!;
      const clipped = Math.min(Math.max(zi, -l1), l1);
      w[i] = (clipped - zi) / (nNewP / lr + 2 * l2);
      acc[i] = nNew;
    }
  }

  /** The options that rebuild this `Ftrl` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      learningRatePower: this.learningRatePower,
      initialAccumulatorValue: this.initialAccumulatorValue,
      l1RegularizationStrength: this.l1RegularizationStrength,
      l2RegularizationStrength: this.l2RegularizationStrength,
      l2ShrinkageRegularizationStrength: this.l2ShrinkageRegularizationStrength,
      beta: this.beta,
    };
  }
}
