import type { Tensor, Variable } from '../../tensor/tensor.js';
import { Optimizer, type OptimizerArgs } from './optimizer.js';

export interface AdafactorArgs extends OptimizerArgs {
  /** The second-moment decay is 1 - t^beta2Decay. */
  beta2Decay?: number;
  /** Added to g² (regularizes the second moment). */
  epsilon1?: number;
  /** The floor of the weights' RMS in the relative step size. */
  epsilon2?: number;
  /** Updates whose RMS exceeds this are scaled down to it. */
  clipThreshold?: number;
  /**
   * Keras's flag; Keras 3's rule takes rho_t = min(lr, 1/sqrt(t)) whatever its value, and so does
   * this one (kept so configs round-trip).
   */
  relativeStep?: boolean;
}

/**
 * Adafactor (Shazeer and Stern 2018), Keras 3's rule, t = iterations + 1, b = 1 - t^beta2Decay:
 * G = g² + epsilon1; rank >= 2 factors the last two axes: r = b r + (1 - b) mean(G, -1),
 * c = b c + (1 - b) mean(G, -2), v = (r / mean(r, -1))[..., i, None] · c[..., None, j];
 * vectors keep v = b v + (1 - b) G. u = g / sqrt(v); u /= max(1, rms(u) / clipThreshold);
 * w -= max(epsilon2, rms(w)) · min(lr, 1/sqrt(t)) · u. Slots 'r' (w.shape[:-1]) and 'c'
 * (w.shape[:-2] + w.shape[-1:]) for rank >= 2, 'velocity' (w.shape) otherwise.
 * `new Adafactor({learningRate: 1e-2})`
 */
export class Adafactor extends Optimizer {
  static override className = 'Adafactor';
  readonly beta2Decay: number;
  readonly epsilon1: number;
  readonly epsilon2: number;
  readonly clipThreshold: number;
  readonly relativeStep: boolean;

  constructor(args: AdafactorArgs = {}) {
    super(args, { learningRate: 0.001, name: 'Adafactor' });
    this.beta2Decay = args.beta2Decay ?? -0.8;
    this.epsilon1 = args.epsilon1 ?? 1e-30;
    this.epsilon2 = args.epsilon2 ?? 1e-3;
    this.clipThreshold = args.clipThreshold ?? 1;
    this.relativeStep = args.relativeStep ?? true;
    if (!(this.clipThreshold > 0))
      throw new RangeError(`Adafactor: clipThreshold must be > 0, got ${this.clipThreshold}`);
  }

  override slotShape(variable: Variable, name: string): readonly number[] {
    const s = variable.shape;
    if (name === 'r') return s.slice(0, -1);
    if (name === 'c') return [...s.slice(0, -2), s[s.length - 1]!];
    return s;
  }

  protected updateStep(grad: Tensor, variable: Variable, lr: number, decay: number): void {
    this.decayInPlace(variable, decay);
    const t = this.iterations + 1;
    const g = grad.data;
    const w = variable.data;
    const n = w.length;
    const rhoT = Math.min(lr, 1 / Math.sqrt(t));
    const alphaT = Math.max(this.epsilon2, rms(w)) * rhoT;
    const b = 1 - t ** this.beta2Decay;
    const eps1 = this.epsilon1;
    const v = new Float64Array(n);
    if (variable.rank >= 2) {
      const cols = variable.shape[variable.rank - 1]!;
      const rows = variable.shape[variable.rank - 2]!;
      const r = this.slot(variable, 'r').data;
      const c = this.slot(variable, 'c').data;
      const batches = rows * cols === 0 ? 0 : n / (rows * cols);
      for (let bi = 0; bi < batches; bi++) {
        const base = bi * rows * cols;
        let rSum = 0;
        for (let i = 0; i < rows; i++) {
          let s = 0;
          for (let j = 0; j < cols; j++) s += g[base + i * cols + j]! ** 2 + eps1;
          const k = bi * rows + i;
          r[k] = b * r[k]! + (1 - b) * (s / cols);
          rSum += r[k]!;
        }
        for (let j = 0; j < cols; j++) {
          let s = 0;
          for (let i = 0; i < rows; i++) s += g[base + i * cols + j]! ** 2 + eps1;
          const k = bi * cols + j;
          c[k] = b * c[k]! + (1 - b) * (s / rows);
        }
        const rMean = rSum / rows;
        for (let i = 0; i < rows; i++) {
          const ri = r[bi * rows + i]! / rMean;
          for (let j = 0; j < cols; j++) v[base + i * cols + j] = ri * c[bi * cols + j]!;
        }
      }
    } else {
      const vs = this.slot(variable, 'velocity').data;
      for (let i = 0; i < n; i++) {
        vs[i] = b * vs[i]! + (1 - b) * (g[i]! ** 2 + eps1);
        v[i] = vs[i]!;
      }
    }
    const u = new Float64Array(n);
    for (let i = 0; i < n; i++) u[i] = g[i]! / Math.sqrt(v[i]!);
    const scale = alphaT / Math.max(1, rms(u) / this.clipThreshold);
    for (let i = 0; i < n; i++) w[i] = w[i]! - scale * u[i]!;
  }

  /** The options that rebuild this `Adafactor` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      beta2Decay: this.beta2Decay,
      epsilon1: this.epsilon1,
      epsilon2: this.epsilon2,
      clipThreshold: this.clipThreshold,
      relativeStep: this.relativeStep,
    };
  }
}

/** sqrt(mean(x²)); 0 for an empty array. */
function rms(x: ArrayLike<number>): number {
  if (x.length === 0) return 0;
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
  return Math.sqrt(s / x.length);
}
