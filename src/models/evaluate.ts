import type { Callback, Logs } from '../nn/callbacks/callback.js';
import { ProgbarLogger } from '../nn/callbacks/progbar-logger.js';
import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { CallbackList } from './callback-list.js';
import { type CompiledState, currentLogs, resetMetrics } from './compile.js';
import { type DataInput, identityOrder, takeRows } from './data-adapter.js';
import type { Model } from './model.js';
import { type PreparedData, prepareData } from './prepare.js';
import { formatResult, testStep } from './train-step.js';

/** Options of `evaluate`. */
export interface EvaluateArgs {
  batchSize?: number;
  /** 0 silent, 1 progress bar, 2 one line ('auto' = 1 on a terminal, else 2). */
  verbose?: number | 'auto';
  sampleWeight?: TensorLike;
  /** Return {loss, metric: value} instead of a number or a list. */
  returnDict?: boolean;
  callbacks?: readonly Callback[];
}

/** Resolves verbose 'auto' as Keras does: 1 on a terminal, 2 otherwise. */
export function resolveVerbose(verbose: number | 'auto' | undefined, fallback: number): number {
  if (verbose === 'auto') return process.stdout.isTTY ? 1 : 2;
  return verbose ?? fallback;
}

/** Checks a batch size: a positive integer. */
export function checkBatchSize(op: string, batchSize: number): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`${op}: batchSize must be a positive integer, got ${batchSize}`);
  }
}

/** Batches per epoch: under a strategy a step takes batchSize rows on each replica. */
export function stepCount(state: CompiledState, samples: number, batchSize: number): number {
  return Math.ceil(samples / (batchSize * (state.strategy?.numReplicas ?? 1)));
}

/** The rows [start, end) of `step` that this process runs (its share of the global batch). */
export function stepRows(
  state: CompiledState,
  step: number,
  samples: number,
  batchSize: number,
): readonly [number, number] {
  const global = batchSize * (state.strategy?.numReplicas ?? 1);
  const start = step * global;
  const end = Math.min(samples, start + global);
  return state.strategy ? state.strategy.localRows(start, end) : [start, end];
}

/** Verbosity for this process: only the chief of a distributed run prints. */
export function processVerbose(
  state: CompiledState,
  verbose: number | 'auto' | undefined,
  fallback: number,
): number {
  return state.strategy && !state.strategy.isChief ? 0 : resolveVerbose(verbose, fallback);
}

/** Runs the test loop over prepared data with the callbacks' test hooks; returns the logs. */
export async function runTestLoop(
  model: Model,
  data: PreparedData,
  batchSize: number,
  callbacks: CallbackList,
): Promise<Logs> {
  const state = model.compiled!;
  resetMetrics(state);
  const order = identityOrder(data.samples);
  const steps = stepCount(state, data.samples, batchSize);
  await callbacks.call('onTestBegin');
  let logs: Logs = {};
  for (let step = 0; step < steps; step++) {
    await callbacks.callAt('onTestBatchBegin', step);
    const [start, end] = stepRows(state, step, data.samples, batchSize);
    const rows = (t: Tensor) => takeRows(t, order, start, end);
    const sw = data.sampleWeight ? rows(data.sampleWeight) : null;
    testStep(model, state, data.xs.map(rows), data.ys.map(rows), sw);
    logs = currentLogs(state);
    await callbacks.callAt('onTestBatchEnd', step, logs);
  }
  await callbacks.call('onTestEnd', logs);
  return logs;
}

/** `model.evaluate(x, y)`: Keras's scalar loss, [loss, ...metrics], or a record with returnDict. */
export async function evaluateModel(
  model: Model,
  x: DataInput,
  y: DataInput,
  args: EvaluateArgs = {},
): Promise<number | number[] | Record<string, number>> {
  const batchSize = args.batchSize ?? 32;
  checkBatchSize('evaluate', batchSize);
  const data = prepareData(model, 'evaluate', x, y, { sampleWeight: args.sampleWeight });
  const verbose = processVerbose(model.compiled!, args.verbose, 1);
  const user = [...(args.callbacks ?? [])];
  const callbacks = new CallbackList(
    verbose > 0 && !user.some((c) => c instanceof ProgbarLogger)
      ? [new ProgbarLogger(), ...user]
      : user,
  );
  const steps = stepCount(model.compiled!, data.samples, batchSize);
  callbacks.configure(model, { epochs: 1, steps, verbose });
  await runTestLoop(model, data, batchSize, callbacks);
  return formatResult(model.compiled!, args.returnDict ?? false);
}
