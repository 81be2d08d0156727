import type { Tensor } from '../../tensor/tensor.js';

/**
 * What a callback must keep for a resumed run to go on as if never stopped (EarlyStopping's best
 * value and wait count, ...): JSON values, and tensors stored beside the weights.
 */
export interface CallbackState {
  values: Record<string, unknown>;
  tensors?: Tensor[];
}

/** Values reported to callbacks: 'loss', metric names, and 'val_'-prefixed validation values. */
export type Logs = Record<string, number>;

/** What a callback may reach of the model it is attached to. */
export interface CallbackModel {
  /** Set to true to end `fit` after the current epoch (EarlyStopping). */
  stopTraining: boolean;
  optimizer: { learningRate: number; iterations: number } | null;
  getWeights(): import('../../tensor/tensor.js').Tensor[];
  setWeights(weights: readonly import('../../tensor/tensor.js').Tensor[]): void;
}

export interface TrainingParams {
  epochs: number;
  /** Batches per epoch. */
  steps: number;
  verbose: number;
}

/**
 * The base of callbacks: override any hook. Hooks may be async; `fit` awaits them.
 * `class Printer extends Callback { override onEpochEnd(epoch, logs) { console.log(epoch, logs) } }`
 */
export class Callback {
  model: CallbackModel | null = null;
  /**
   * Called after every other callback, History included, at each hook (BackupAndRestore, so that
   * the state it saves at an epoch's end includes what the others did at that end).
   */
  readonly runsLast: boolean = false;
  params: TrainingParams = { epochs: 0, steps: 0, verbose: 0 };

  setModel(model: CallbackModel): void {
    this.model = model;
  }

  setParams(params: TrainingParams): void {
    this.params = params;
  }

  /** The state a resumed run needs (BackupAndRestore saves it); null when there is none. */
  getState(): CallbackState | null {
    return null;
  }

  /** Restores a state from `getState`; `fit` calls it after onTrainBegin when it resumes. */
  setState(_state: CallbackState): void {}

  onTrainBegin(_logs: Logs): void | Promise<void> {}
  onTrainEnd(_logs: Logs): void | Promise<void> {}
  onEpochBegin(_epoch: number, _logs: Logs): void | Promise<void> {}
  onEpochEnd(_epoch: number, _logs: Logs): void | Promise<void> {}
  onTrainBatchBegin(_batch: number, _logs: Logs): void | Promise<void> {}
  onTrainBatchEnd(_batch: number, _logs: Logs): void | Promise<void> {}
  onTestBegin(_logs: Logs): void | Promise<void> {}
  onTestEnd(_logs: Logs): void | Promise<void> {}
  onTestBatchBegin(_batch: number, _logs: Logs): void | Promise<void> {}
  onTestBatchEnd(_batch: number, _logs: Logs): void | Promise<void> {}
  onPredictBegin(_logs: Logs): void | Promise<void> {}
  onPredictEnd(_logs: Logs): void | Promise<void> {}
}

/** A saved number that may be ±Infinity (JSON has no infinities): null stands for `ifNull`. */
export function finiteOr(value: unknown, ifNull: number, owner: string, field: string): number {
  if (value === null) return ifNull;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new TypeError(
      `${owner}.setState: ${field} must be a finite number or null, got ${value}`,
    );
  return value;
}

/** A saved count: a non-negative integer. */
export function countOf(value: unknown, owner: string, field: string): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0)
    throw new TypeError(`${owner}.setState: ${field} must be an integer >= 0, got ${value}`);
  return value as number;
}
