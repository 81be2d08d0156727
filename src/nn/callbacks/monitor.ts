import type { CallbackModel } from './callback.js';

export type MonitorMode = 'auto' | 'min' | 'max';

const MAXIMIZED = /acc|precision|recall|auc|f1|iou/;
const MINIMIZED = /loss|error|mse|mae|crossentropy|hinge|divergence/;

/** Whether a logged value should rise or fall, guessed from its name; null when the name says nothing. */
export function autoDirection(monitor: string): 'min' | 'max' | null {
  const name = monitor.startsWith('val_') ? monitor.slice(4) : monitor;
  if (MINIMIZED.test(name)) return 'min';
  if (MAXIMIZED.test(name)) return 'max';
  return null;
}

export function checkMode(owner: string, mode: string): MonitorMode {
  if (mode !== 'auto' && mode !== 'min' && mode !== 'max')
    throw new RangeError(`${owner}: mode must be 'auto', 'min' or 'max', got '${mode}'`);
  return mode;
}

/** The model a callback is attached to, or a clear error when it is used outside `fit`. */
export function attachedModel(owner: string, model: CallbackModel | null): CallbackModel {
  if (model === null)
    throw new Error(`${owner}: not attached to a model; pass it in fit's callbacks`);
  return model;
}

/** The model's optimizer, or a clear error when the model is not compiled. */
export function optimizerOf(
  owner: string,
  model: CallbackModel | null,
): NonNullable<CallbackModel['optimizer']> {
  const optimizer = attachedModel(owner, model).optimizer;
  if (optimizer === null)
    throw new Error(`${owner}: the model has no optimizer; compile it before fit`);
  return optimizer;
}
