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
  params: TrainingParams = { epochs: 0, steps: 0, verbose: 0 };

  setModel(model: CallbackModel): void {
    this.model = model;
  }

  setParams(params: TrainingParams): void {
    this.params = params;
  }

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
