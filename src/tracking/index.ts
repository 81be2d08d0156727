// Experiment tracking: a SQLite store of runs, the Tracking callback, exports.
import { addFitCallbackHook } from '../models/fit-hooks.js';
import { Tracking } from './tracking-callback.js';

export * from './evaluation.js';
export * from './export-csv.js';
export * from './histogram.js';
export * from './model-graph.js';
export * from './run-params.js';
export * from './store.js';
export * from './tfevents.js';
export * from './tracking-callback.js';

/** KEEL_TRACKING_DIR=dir: every fit without a Tracking callback of its own records a run there. */
addFitCallbackHook((_model, user) => {
  const dir = process.env['KEEL_TRACKING_DIR'];
  if (!dir || user.some((c) => c instanceof Tracking)) return [];
  return [new Tracking({ dir })];
});
