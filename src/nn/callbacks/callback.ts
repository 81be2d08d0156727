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
  /** The current weights, in the order of `model.weights`. */
  getWeights(): import('../../tensor/tensor.js').Tensor[];
  /** Replaces the weights (same order and shapes as `getWeights`). */
  setWeights(weights: readonly import('../../tensor/tensor.js').Tensor[]): void;
}

/** What a callback learns about the run before it starts (`setParams`). */
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

  /**
   * Called by `fit`/`evaluate`/`predict` before training starts: the model this callback observes.
   */
  setModel(model: CallbackModel): void {
    this.model = model;
  }

  /** Called before training starts with the run's epochs, steps per epoch and verbosity. */
  setParams(params: TrainingParams): void {
    this.params = params;
  }

  /** The state a resumed run needs (BackupAndRestore saves it); null when there is none. */
  getState(): CallbackState | null {
    return null;
  }

  /** Restores a state from `getState`; `fit` calls it after onTrainBegin when it resumes. */
  setState(_state: CallbackState): void {}

  /** Called once when `fit` starts. */
  onTrainBegin(_logs: Logs): void | Promise<void> {}
  /** Called once when `fit` ends (also after an early stop). */
  onTrainEnd(_logs: Logs): void | Promise<void> {}
  /** Called at the start of each epoch (0-based `epoch`). */
  onEpochBegin(_epoch: number, _logs: Logs): void | Promise<void> {}
  /** Called at the end of each epoch; `logs` holds the epoch's loss, metrics and `val_` values. */
  onEpochEnd(_epoch: number, _logs: Logs): void | Promise<void> {}
  /** Called before each training batch (0-based `batch` within the epoch). */
  onTrainBatchBegin(_batch: number, _logs: Logs): void | Promise<void> {}
  /** Called after each training batch; `logs` holds the running loss and metrics. */
  onTrainBatchEnd(_batch: number, _logs: Logs): void | Promise<void> {}
  /** Called when an evaluation (`evaluate` or `fit`'s validation) starts. */
  onTestBegin(_logs: Logs): void | Promise<void> {}
  /** Called when an evaluation ends; `logs` holds its loss and metrics. */
  onTestEnd(_logs: Logs): void | Promise<void> {}
  /** Called before each evaluation batch. */
  onTestBatchBegin(_batch: number, _logs: Logs): void | Promise<void> {}
  /** Called after each evaluation batch with the running loss and metrics. */
  onTestBatchEnd(_batch: number, _logs: Logs): void | Promise<void> {}
  /** Called when `predict` starts. */
  onPredictBegin(_logs: Logs): void | Promise<void> {}
  /** Called when `predict` ends. */
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
