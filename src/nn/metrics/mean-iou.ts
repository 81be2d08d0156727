import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { argmaxAt } from './categorical-accuracy.js';
import { Metric } from './metric.js';

/** Options of `MeanIoU` (Keras's names and defaults). */
export interface MeanIoUArgs {
  /** The number of classes (the confusion matrix is numClasses × numClasses). */
  numClasses: number;
  /** Entries whose label is this class are left out (e.g. a void class in segmentation). */
  ignoreClass?: number;
  /** yTrue holds class ids (true) or scores/one-hot along `axis` to take the argmax of (false). */
  sparseYTrue?: boolean;
  /** yPred holds class ids (true) or scores along `axis` to take the argmax of (false). */
  sparseYPred?: boolean;
  /** The class axis of non-sparse inputs: the last one. */
  axis?: -1;
  name?: string;
}

const EPSILON = 1e-7;

/**
 * Mean intersection over union: IoU_c = TP_c / (TP_c + FP_c + FN_c) from a weighted confusion
 * matrix over every batch seen, averaged over the classes that occur (in yTrue or yPred). Labels
 * outside [0, numClasses) and `ignoreClass` are skipped. yTrue and yPred: class ids of any shape
 * (the same number of entries), or scores with a class axis when not sparse.
 * `new MeanIoU({numClasses: 3})`
 */
export class MeanIoU extends Metric {
  static override className = 'MeanIoU';
  readonly numClasses: number;
  readonly ignoreClass: number | undefined;
  readonly sparseYTrue: boolean;
  readonly sparseYPred: boolean;
  readonly axis = -1;
  private readonly cm: Float64Array;

  constructor(args: MeanIoUArgs) {
    super(args.name ?? 'mean_io_u');
    this.numClasses = args.numClasses;
    if (!(Number.isInteger(this.numClasses) && this.numClasses >= 1))
      throw new RangeError(
        `MeanIoU: numClasses must be a positive integer, got ${this.numClasses}`,
      );
    if (args.axis !== undefined && args.axis !== -1)
      throw new RangeError(`MeanIoU: only axis -1 is supported, got ${args.axis}`);
    this.ignoreClass = args.ignoreClass;
    this.sparseYTrue = args.sparseYTrue ?? true;
    this.sparseYPred = args.sparseYPred ?? true;
    this.cm = new Float64Array(this.numClasses * this.numClasses);
  }

  private ids(x: Tensor, sparse: boolean): ArrayLike<number> {
    if (sparse) return x.data;
    if (x.rank === 0)
      throw new RangeError(`${this.name}: a non-sparse input needs a class axis, got a scalar`);
    const C = x.shape[x.rank - 1]!;
    const rows = C === 0 ? 0 : x.size / C;
    return Int32Array.from({ length: rows }, (_, r) => argmaxAt(x.data, r * C, C));
  }

  /** Adds a batch to the confusion matrix (rows: true class, columns: predicted class). */
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): void {
    const t = this.ids(yTrue, this.sparseYTrue);
    const p = this.ids(yPred, this.sparseYPred);
    if (t.length !== p.length)
      throw new RangeError(
        `${this.name}: yTrue ${formatShape(yTrue.shape)} and yPred ${formatShape(yPred.shape)} hold ${t.length} and ${p.length} class ids; expected the same number`,
      );
    let w: ArrayLike<number> | null = null;
    let per = 1;
    if (sampleWeight !== undefined) {
      w = sampleWeight.data;
      if (sampleWeight.size === 0 || t.length % sampleWeight.size !== 0)
        throw new RangeError(
          `${this.name}: sampleWeight ${formatShape(sampleWeight.shape)} does not fit ${t.length} entries (expected one weight per entry or per sample)`,
        );
      per = t.length / sampleWeight.size;
    }
    const C = this.numClasses;
    for (let j = 0; j < t.length; j++) {
      // Ids are cast to integers first, as Keras's int confusion matrix does.
      const a = Math.trunc(t[j]!);
      const b = Math.trunc(p[j]!);
      if (!(a >= 0 && a < C && b >= 0 && b < C) || a === this.ignoreClass) continue;
      this.cm[a * C + b]! += w === null ? 1 : w[Math.floor(j / per)]!;
    }
  }

  /** The IoU of each class: 0 for a class that never occurred. */
  resultPerClass(): number[] {
    const C = this.numClasses;
    return Array.from({ length: C }, (_, c) => {
      let row = 0;
      let col = 0;
      for (let k = 0; k < C; k++) {
        row += this.cm[c * C + k]!;
        col += this.cm[k * C + c]!;
      }
      const tp = this.cm[c * C + c]!;
      const denominator = row + col - tp;
      return denominator > 1e-9 ? tp / (denominator + EPSILON) : 0;
    });
  }

  /** The mean IoU over the classes that occurred (0 when none did). */
  result(): number {
    const C = this.numClasses;
    let valid = 0;
    for (let c = 0; c < C; c++) {
      let occurs = false;
      for (let k = 0; k < C && !occurs; k++)
        occurs = this.cm[c * C + k]! + this.cm[k * C + c]! > 1e-9;
      if (occurs) valid++;
    }
    return this.resultPerClass().reduce((a, b) => a + b, 0) / (valid + EPSILON);
  }

  /** Zeroes the confusion matrix. */
  resetState(): void {
    this.cm.fill(0);
  }

  /** The confusion matrix, row-major [true class][predicted class]. */
  confusionMatrix(): number[][] {
    const C = this.numClasses;
    return Array.from({ length: C }, (_, r) => [...this.cm.subarray(r * C, (r + 1) * C)]);
  }

  override stateValues(): number[] {
    return [...this.cm];
  }

  override setStateValues(values: readonly number[]): void {
    if (values.length !== this.cm.length)
      throw new RangeError(
        `${this.name}: expected ${this.cm.length} state values, got ${values.length}`,
      );
    this.cm.set(values);
  }

  /** The options that rebuild this `MeanIoU` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      numClasses: this.numClasses,
      ignoreClass: this.ignoreClass,
      sparseYTrue: this.sparseYTrue,
      sparseYPred: this.sparseYPred,
    };
  }
}
