/**
 * fit / evaluate / predict over a Dataset whose elements are batches: {x, y, sampleWeight?} or
 * [x, y, sampleWeight?] (x and y: a tensor, a list per input/output, or a record by name). Each
 * epoch is one pass over the dataset (or `stepsPerEpoch` batches of one continuing pass). Every
 * batch goes through the same checks as array data, so errors name the batch.
 */
import { noGrad } from '../autograd/tape.js';
import type { Dataset } from '../data/dataset/dataset.js';
import type { Logs } from '../nn/callbacks/callback.js';
import { History } from '../nn/callbacks/history.js';
import { ProgbarLogger } from '../nn/callbacks/progbar-logger.js';
import { concat } from '../ops/concat.js';
import { Tensor } from '../tensor/tensor.js';
import { CallbackList } from './callback-list.js';
import { currentLogs, resetMetrics } from './compile.js';
import type { DataInput } from './data-adapter.js';
import { type EvaluateArgs, processVerbose } from './evaluate.js';
import type { FitArgs } from './fit.js';
import { withHookCallbacks } from './fit-hooks.js';
import { runPlanned } from './inference-plan.js';
import type { Model } from './model.js';
import type { PredictArgs } from './predict.js';
import { type PreparedData, prepareData, prepareInputs } from './prepare.js';
import { formatResult, testStep, trainStep } from './train-step.js';

export interface DatasetFitArgs
  extends Omit<FitArgs, 'validationData' | 'validationSplit' | 'shuffle' | 'batchSize'> {
  /** Batches per epoch; the dataset then continues where it stopped (use repeat() for endless data). */
  stepsPerEpoch?: number;
  /** A Dataset of batches, or [xVal, yVal]. */
  validationData?: Dataset | readonly [DataInput, DataInput];
}

/** Splits one dataset element into (x, y, sampleWeight), or explains the expected form. */
function parts(
  op: string,
  el: unknown,
  step: number,
  needY: boolean,
): [DataInput, DataInput | undefined, DataInput | undefined] {
  if (el instanceof Tensor) {
    if (needY)
      throw new TypeError(
        `${op}: dataset batch ${step} is a single tensor; expected {x, y} or [x, y]`,
      );
    return [el, undefined, undefined];
  }
  if (Array.isArray(el) && el.length >= 1 && el.length <= 3) return [el[0], el[1], el[2]];
  if (typeof el === 'object' && el !== null && 'x' in el) {
    const r = el as { x: DataInput; y?: DataInput; sampleWeight?: DataInput };
    return [r.x, r.y, r.sampleWeight];
  }
  throw new TypeError(
    `${op}: dataset element ${step} must be a batch {x, y} or [x, y] (batch() the dataset first); got ${el === null ? 'null' : typeof el}`,
  );
}

function prepareBatch(
  model: Model,
  op: string,
  el: unknown,
  step: number,
  classWeight?: FitArgs['classWeight'],
): PreparedData {
  const [x, y, sw] = parts(op, el, step, true);
  if (y === undefined) throw new TypeError(`${op}: dataset batch ${step} has no y (targets)`);
  try {
    return prepareData(model, op, x, y, { sampleWeight: sw as never, classWeight });
  } catch (e) {
    (e as Error).message = `${(e as Error).message} (dataset batch ${step})`;
    throw e;
  }
}

/** Runs the test loop over a dataset; returns the logs. */
async function testLoop(
  model: Model,
  ds: Dataset | PreparedData,
  callbacks: CallbackList,
  op: string,
): Promise<Logs> {
  const state = model.compiled!;
  resetMetrics(state);
  await callbacks.call('onTestBegin');
  let logs: Logs = {};
  let step = 0;
  const batches: AsyncIterable<unknown> | Iterable<unknown> = 'xs' in ds ? [ds] : (ds as Dataset);
  let ended = false; // another replica's shard ended first
  for await (const el of batches) {
    if (state.strategy && !state.strategy.allHaveBatch(true)) {
      ended = true;
      break;
    }
    await callbacks.callAt('onTestBatchBegin', step);
    const b = 'xs' in (el as object) ? (el as PreparedData) : prepareBatch(model, op, el, step);
    testStep(model, state, b.xs, b.ys, b.sampleWeight);
    logs = currentLogs(state);
    await callbacks.callAt('onTestBatchEnd', step, logs);
    step++;
  }
  // This shard ended: tell the replicas still asking.
  if (state.strategy && !ended) state.strategy.allHaveBatch(false);
  if (step === 0) throw new RangeError(`${op}: the dataset is empty (it yielded no batches)`);
  await callbacks.call('onTestEnd', logs);
  return logs;
}

/** `model.fit(dataset, {epochs})`. */
export async function fitDataset(
  model: Model,
  ds: Dataset,
  args: DatasetFitArgs = {},
): Promise<History> {
  const epochs = args.epochs ?? 1;
  if (!Number.isInteger(epochs) || epochs < 0)
    throw new RangeError(`fit: epochs must be an integer >= 0, got ${epochs}`);
  const spe = args.stepsPerEpoch;
  if (spe !== undefined && (!Number.isInteger(spe) || spe < 1)) {
    throw new RangeError(`fit: stepsPerEpoch must be a positive integer, got ${spe}`);
  }
  const state = model.compiled;
  if (!state)
    throw new Error(
      `fit: model '${model.name}' must be compiled first: model.compile({ optimizer: 'adam', loss: '...' })`,
    );
  const verbose = processVerbose(state, args.verbose, 1);
  const val = args.validationData;
  const valData: Dataset | PreparedData | null = !val
    ? null
    : Array.isArray(val)
      ? prepareData(model, 'fit (validationData)', val[0], val[1])
      : (val as Dataset);
  const history = new History();
  const user = withHookCallbacks(model, args.callbacks);
  const progbar = verbose > 0 && !user.some((c) => c instanceof ProgbarLogger);
  const callbacks = new CallbackList([...(progbar ? [new ProgbarLogger()] : []), ...user, history]);
  callbacks.configure(model, { epochs, steps: spe ?? ds.size ?? 0, verbose });
  model.stopTraining = false;
  model.history = history;
  await callbacks.call('onTrainBegin');
  state.strategy?.begin(model, null);
  let logs: Logs = {};
  let it: AsyncIterator<unknown> | null = null;
  for (let epoch = args.initialEpoch ?? 0; epoch < epochs && !model.stopTraining; epoch++) {
    resetMetrics(state);
    await callbacks.callAt('onEpochBegin', epoch);
    if (spe === undefined || it === null) it = ds[Symbol.asyncIterator]();
    let step = 0;
    for (; spe === undefined || step < spe; step++) {
      let r = await it.next();
      if (r.done && spe !== undefined && step > 0) {
        it = ds[Symbol.asyncIterator]();
        r = await it.next();
      }
      if (state.strategy && !state.strategy.allHaveBatch(!r.done)) break;
      if (r.done) break;
      await callbacks.callAt('onTrainBatchBegin', step);
      const b = prepareBatch(model, 'fit', r.value, step, args.classWeight);
      trainStep(model, state, b.xs, b.ys, b.sampleWeight);
      await callbacks.callAt('onTrainBatchEnd', step, currentLogs(state));
      if (model.stopTraining) break;
    }
    if (step === 0) throw new RangeError('fit: the dataset is empty (it yielded no batches)');
    logs = currentLogs(state);
    if (valData) {
      const valLogs = await testLoop(model, valData, callbacks, 'fit (validationData)');
      for (const [k, v] of Object.entries(valLogs)) logs[`val_${k}`] = v;
    }
    await callbacks.callAt('onEpochEnd', epoch, logs);
  }
  if (spe !== undefined) await it?.return?.();
  await callbacks.call('onTrainEnd', logs);
  return history;
}

/** `model.evaluate(dataset)`. */
export async function evaluateDataset(
  model: Model,
  ds: Dataset,
  args: Omit<EvaluateArgs, 'batchSize' | 'sampleWeight'> = {},
): Promise<number | number[] | Record<string, number>> {
  if (!model.compiled) throw new Error(`evaluate: model '${model.name}' must be compiled first`);
  const verbose = processVerbose(model.compiled, args.verbose, 1);
  const user = [...(args.callbacks ?? [])];
  const callbacks = new CallbackList(
    verbose > 0 && !user.some((c) => c instanceof ProgbarLogger)
      ? [new ProgbarLogger(), ...user]
      : user,
  );
  callbacks.configure(model, { epochs: 1, steps: ds.size ?? 0, verbose });
  await testLoop(model, ds, callbacks, 'evaluate');
  return formatResult(model.compiled, args.returnDict ?? false);
}

/** `model.predict(dataset)`: outputs of every batch (x, or the x of {x, y} / [x, y]) concatenated. */
export async function predictDataset(
  model: Model,
  ds: Dataset,
  _args: PredictArgs = {},
): Promise<Tensor | Tensor[]> {
  const outs: Tensor[][] = [];
  let returnsList = false;
  let step = 0;
  for await (const el of ds) {
    const [x] = parts('predict', el, step++, false);
    const xs = prepareInputs(model, 'predict', x);
    const out =
      runPlanned(model, xs) ??
      noGrad(() => model.apply(xs.length === 1 ? xs[0]! : xs, { training: false }));
    returnsList = Array.isArray(out);
    outs.push(Array.isArray(out) ? out : [out]);
  }
  if (outs.length === 0)
    throw new RangeError('predict: the dataset is empty (it yielded no batches)');
  const joined = outs[0]!.map((_, i) =>
    noGrad(() =>
      concat(
        outs.map((o) => o[i]!),
        0,
      ),
    ),
  );
  return returnsList ? joined : joined[0]!;
}
