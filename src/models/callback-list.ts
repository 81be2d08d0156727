import type { Callback, CallbackModel, Logs, TrainingParams } from '../nn/callbacks/callback.js';

type Hook = 'onTrainBegin' | 'onTrainEnd' | 'onTestBegin' | 'onTestEnd';
type IndexedHook =
  | 'onEpochBegin'
  | 'onEpochEnd'
  | 'onTrainBatchBegin'
  | 'onTrainBatchEnd'
  | 'onTestBatchBegin'
  | 'onTestBatchEnd';

/** Calls a hook on every callback in order, awaiting each (hooks may be async). */
export class CallbackList {
  constructor(readonly callbacks: readonly Callback[]) {}

  configure(model: CallbackModel, params: TrainingParams): void {
    for (const c of this.callbacks) {
      c.setModel(model);
      c.setParams(params);
    }
  }

  async call(hook: Hook, logs: Logs = {}): Promise<void> {
    for (const c of this.callbacks) await c[hook](logs);
  }

  async callAt(hook: IndexedHook, index: number, logs: Logs = {}): Promise<void> {
    for (const c of this.callbacks) await c[hook](index, logs);
  }
}
