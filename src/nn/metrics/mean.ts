import type { Tensor } from '../../tensor/tensor.js';
import { Metric } from './metric.js';
import { sampleWeights } from './shapes.js';

/**
 * The running weighted mean of the values it is given (Keras's Mean, used for the loss):
 * result = Σ w · v / Σ w. `const m = new Mean(); m.updateState(tensor([1, 3])); m.result() === 2`
 */
export class Mean extends Metric {
  static override className = 'Mean';
  protected total = 0;
  protected count = 0;

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'mean');
  }

  /** Adds values (a number, or a tensor whose first axis is the sample axis) with optional weights. */
  override updateState(values: Tensor | number, sampleWeight?: Tensor | number): void {
    if (typeof values === 'number') {
      const w = typeof sampleWeight === 'number' ? sampleWeight : (sampleWeight?.data[0] ?? 1);
      this.total += values * w;
      this.count += w;
      return;
    }
    const samples = values.rank === 0 ? 1 : values.shape[0]!;
    const per = samples === 0 ? 0 : values.size / samples;
    const v = values.data;
    const w =
      typeof sampleWeight === 'number' ? null : sampleWeights(this.name, sampleWeight, samples);
    const scale = typeof sampleWeight === 'number' ? sampleWeight : 1;
    for (let s = 0; s < samples; s++) {
      let sum = 0;
      for (let j = 0; j < per; j++) sum += v[s * per + j]!;
      const ws = w === null ? scale : w[s]!;
      this.total += (ws * sum) / per;
      this.count += ws;
    }
  }

  /** The weighted mean of the values seen since the last reset (0 before any). */
  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }

  /** Forgets the values seen. */
  resetState(): void {
    this.total = 0;
    this.count = 0;
  }

  override stateValues(): number[] {
    return [this.total, this.count];
  }

  override setStateValues([total, count]: readonly number[]): void {
    this.total = total!;
    this.count = count!;
  }
}
