import type { Callback, CallbackState, Logs } from '../nn/callbacks/callback.js';
import { History } from '../nn/callbacks/history.js';
import { ProgbarLogger } from '../nn/callbacks/progbar-logger.js';
import { getRng } from '../random/rng.js';
import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { CallbackList } from './callback-list.js';
import { currentLogs, type MetricStates, resetMetrics, setMetricStates } from './compile.js';
import { type DataInput, identityOrder, splitAt, takeRows } from './data-adapter.js';
import { checkBatchSize, processVerbose, runTestLoop, stepCount, stepRows } from './evaluate.js';
import { withHookCallbacks } from './fit-hooks.js';
import type { Model } from './model.js';
import { type PreparedData, prepareData } from './prepare.js';
import { trainStep } from './train-step.js';

export interface FitArgs {
  epochs?: number;
  batchSize?: number;
  /** Shuffle the training samples before each epoch (global seeded RNG; default true). */
  shuffle?: boolean;
  /** Fraction of the data, taken from the END before shuffling, held out for validation. */
  validationSplit?: number;
  /** [xVal, yVal] or [xVal, yVal, sampleWeightVal]; takes precedence over validationSplit. */
  validationData?: readonly [DataInput, DataInput] | readonly [DataInput, DataInput, TensorLike];
  callbacks?: readonly Callback[];
  /** 0 silent, 1 progress bar, 2 one line per epoch; 'auto' = 1 on a terminal, else 2. */
  verbose?: number | 'auto';
  /** Weight of each class in the loss: {0: 1, 1: 5}. */
  classWeight?: Readonly<Record<number, number>>;
  /** One weight per training sample. */
  sampleWeight?: TensorLike;
  /** Epoch to start from (resuming a run). */
  initialEpoch?: number;
}

function checkArgs(args: FitArgs): void {
  const { epochs = 1, initialEpoch = 0, validationSplit = 0 } = args;
  if (!Number.isInteger(epochs) || epochs < 0) {
    throw new RangeError(`fit: epochs must be an integer >= 0, got ${epochs}`);
  }
  if (!Number.isInteger(initialEpoch) || initialEpoch < 0) {
    throw new RangeError(`fit: initialEpoch must be an integer >= 0, got ${initialEpoch}`);
  }
  if (!(validationSplit >= 0 && validationSplit < 1)) {
    throw new RangeError(`fit: validationSplit must be in [0, 1), got ${validationSplit}`);
  }
}

/** Splits off the validation data: validationData as given, or the last validationSplit of the samples. */
function splitValidation(
  model: Model,
  data: PreparedData,
  args: FitArgs,
): { train: PreparedData; val: PreparedData | null } {
  if (args.validationData) {
    const [xv, yv, swv] = args.validationData;
    const val = prepareData(model, 'fit (validationData)', xv, yv, { sampleWeight: swv });
    return { train: data, val };
  }
  const split = args.validationSplit ?? 0;
  if (split === 0) return { train: data, val: null };
  const at = Math.ceil(data.samples * (1 - split));
  if (at === 0 || at === data.samples) {
    throw new RangeError(
      `fit: validationSplit=${split} of ${data.samples} samples leaves ${at} for training and ${data.samples - at} for validation; both need at least one`,
    );
  }
  const [xt, xv] = splitAt(data.xs, at);
  const [yt, yv] = splitAt(data.ys, at);
  const [swt, swv] = data.sampleWeight ? splitAt([data.sampleWeight], at) : [[null], [null]];
  return {
    train: { xs: xt, ys: yt, sampleWeight: swt[0]!, samples: at },
    val: { xs: xv, ys: yv, sampleWeight: swv[0]!, samples: data.samples - at },
  };
}

/** Where `fit` stands: the current epoch and its sample order (read by BackupAndRestore). */
export interface FitPosition {
  epoch: number;
  /** The next batch to run in `epoch` (resuming only). */
  step: number;
  /** The epoch's sample order; null on resume means "draw a new one". */
  order: Int32Array | null;
  /** On resume: the callbacks' saved states, given back to them after onTrainBegin. */
  callbackStates?: ReadonlyMap<string, CallbackState>;
  /** On resume mid-epoch: the epoch's running losses and metrics so far. */
  metrics?: MetricStates;
}

const runningCallbacks = new WeakMap<Model, CallbackList>();

/** The states of the callbacks of the `fit` running on `model` (BackupAndRestore saves them). */
export function fitCallbackStates(model: Model): Map<string, CallbackState> {
  return runningCallbacks.get(model)?.states() ?? new Map();
}

const positions = new WeakMap<Model, FitPosition>();
const resumes = new WeakMap<Model, FitPosition>();

/** The epoch and sample order of the `fit` running on `model`, if any. */
export function fitPosition(model: Model): FitPosition | undefined {
  return positions.get(model);
}

/**
 * Called from a callback's onTrainBegin: the running `fit` continues at `position` (an epoch,
 * a batch within it and that epoch's sample order) instead of initialEpoch.
 */
export function resumeFitAt(model: Model, position: FitPosition): void {
  resumes.set(model, position);
}

/** Lets timers and I/O run between epochs (the loop itself only awaits callbacks). */
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** `model.fit(x, y, {...})`: the training loop. Resolves to the History callback. */
export async function fitModel(
  model: Model,
  x: DataInput,
  y: DataInput,
  args: FitArgs = {},
): Promise<History> {
  checkArgs(args);
  const epochs = args.epochs ?? 1;
  const batchSize = args.batchSize ?? 32;
  checkBatchSize('fit', batchSize);
  const all = prepareData(model, 'fit', x, y, {
    sampleWeight: args.sampleWeight,
    classWeight: args.classWeight,
  });
  const state = model.compiled!;
  const verbose = processVerbose(state, args.verbose, 1);
  const { train, val } = splitValidation(model, all, args);
  const steps = stepCount(state, train.samples, batchSize);

  const history = new History();
  const user = withHookCallbacks(model, args.callbacks);
  const progbar = verbose > 0 && !user.some((c) => c instanceof ProgbarLogger);
  const callbacks = new CallbackList([...(progbar ? [new ProgbarLogger()] : []), ...user, history]);
  callbacks.configure(model, { epochs, steps, verbose });

  model.stopTraining = false;
  model.history = history;
  resumes.delete(model);
  runningCallbacks.set(model, callbacks);
  await callbacks.call('onTrainBegin');
  const restored = resumes.get(model) ?? null;
  resumes.delete(model);
  if (restored?.callbackStates) callbacks.restore(restored.callbackStates);
  const resume = state.strategy ? state.strategy.begin(model, restored) : restored;
  let logs: Logs = {};
  const firstEpoch = resume ? resume.epoch : (args.initialEpoch ?? 0);
  for (let epoch = firstEpoch; epoch < epochs && !model.stopTraining; epoch++) {
    resetMetrics(state);
    await callbacks.callAt('onEpochBegin', epoch);
    const resumed = resume?.order && epoch === resume.epoch ? resume : null;
    if (resumed?.metrics) setMetricStates(state, resumed.metrics, 'fit (resumed metrics)');
    const drawn = resumed?.order
      ? resumed.order
      : args.shuffle === false
        ? identityOrder(train.samples)
        : getRng().permutation(train.samples);
    const order = state.strategy ? state.strategy.syncOrder(drawn) : drawn;
    if (order.length !== train.samples) {
      throw new Error(
        `fit: the resumed sample order has ${order.length} entries, the training data ${train.samples} samples`,
      );
    }
    positions.set(model, { epoch, step: 0, order });
    for (let step = resumed ? resumed.step : 0; step < steps; step++) {
      await callbacks.callAt('onTrainBatchBegin', step);
      const [start, end] = stepRows(state, step, train.samples, batchSize);
      const rows = (t: Tensor) => takeRows(t, order, start, end);
      const sw = train.sampleWeight ? rows(train.sampleWeight) : null;
      trainStep(model, state, train.xs.map(rows), train.ys.map(rows), sw);
      await callbacks.callAt('onTrainBatchEnd', step, currentLogs(state));
      if (model.stopTraining) break;
    }
    logs = currentLogs(state);
    if (val) {
      // Validation reports through the callbacks' test hooks; ProgbarLogger stays silent there.
      const valLogs = await runTestLoop(model, val, batchSize, callbacks);
      for (const [k, v] of Object.entries(valLogs)) logs[`val_${k}`] = v;
    }
    await callbacks.callAt('onEpochEnd', epoch, logs);
    await yieldToEventLoop();
  }
  positions.delete(model);
  await callbacks.call('onTrainEnd', logs);
  runningCallbacks.delete(model);
  return history;
}
