import { grad } from '../autograd/backward.js';
import { noGrad } from '../autograd/tape.js';
import { add } from '../ops/add.js';
import { mul } from '../ops/mul.js';
import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  type CompiledState,
  currentLogs,
  RunningMean,
  resetMetrics,
  resultNames,
} from './compile.js';
import type { DataInput } from './data-adapter.js';
import type { Model } from './model.js';
import { prepareData } from './prepare.js';

/** Runs the model on one batch; multi-input models get a list. */
export function forward(model: Model, xs: readonly Tensor[], training: boolean): Tensor[] {
  const out = model.apply(xs.length === 1 ? xs[0]! : [...xs], { training });
  return Array.isArray(out) ? out : [out];
}

/** One batch's loss: the total, the per-output losses and any named extra terms to log. */
export interface BatchLoss {
  total: Tensor;
  perOutput: (Tensor | null)[];
  /** Extra scalar terms a model adds (a Distiller's 'student_loss', 'distillation_loss'), logged by name. */
  terms?: Readonly<Record<string, Tensor>>;
}

/**
 * The total loss: Σ lossWeight_i · loss_i(y_i, ŷ_i) + the regularization penalties.
 * Also returns the per-output losses (before weighting).
 */
export function computeLoss(
  model: Model,
  state: CompiledState,
  ys: readonly Tensor[],
  preds: readonly Tensor[],
  sampleWeight: Tensor | null,
): BatchLoss {
  let total: Tensor | null = null;
  const perOutput = state.losses.map((loss, i) => {
    if (!loss) return null;
    const l = loss.compute(ys[i]!, preds[i]!, sampleWeight ?? undefined);
    const w = state.lossWeights[i]!;
    const term = w === 1 ? l : mul(l, w);
    total = total ? add(total, term) : term;
    return l;
  });
  for (const penalty of model.regularizationLosses()) total = total ? add(total, penalty) : penalty;
  return { total: total!, perOutput };
}

/** Feeds one batch's loss values and predictions into the trackers and metrics. */
function track(
  state: CompiledState,
  { total, perOutput, terms }: BatchLoss,
  ys: readonly Tensor[],
  preds: readonly Tensor[],
  sampleWeight: Tensor | null,
): void {
  const n = ys[0]!.shape[0]!;
  state.lossTracker.update(total.item(), n);
  state.outputLossTrackers.forEach((t, i) => {
    const l = perOutput[i];
    if (l) t.update(l.item(), n);
  });
  for (const [name, value] of Object.entries(terms ?? {})) {
    let tracker = state.termTrackers.get(name);
    if (!tracker) state.termTrackers.set(name, (tracker = new RunningMean()));
    tracker.update(value.item(), n);
  }
  noGrad(() => {
    for (const m of state.metrics ?? []) {
      m.metric.updateState(ys[m.output]!, preds[m.output]!, sampleWeight ?? undefined);
    }
  });
}

/** One optimization step: forward (training), loss, gradients of the trainable weights, update. */
export function trainStep(
  model: Model,
  state: CompiledState,
  xs: readonly Tensor[],
  ys: readonly Tensor[],
  sampleWeight: Tensor | null,
): void {
  const strategy = state.strategy;
  const weights = model.trainableWeights;
  const samples = ys[0]?.shape[0] ?? 0;
  if (strategy && samples === 0) {
    // A replica without rows in this global batch still takes part in the gradient allreduce.
    strategy.beginStep(weights, 0);
    const grads = strategy.reduceGradients(
      weights.map(() => null),
      state,
    );
    if (grads.some((g) => g !== null)) {
      state.optimizer.applyGradients(grads.map((g, i) => [g, weights[i]!] as const));
    }
    return;
  }
  const preds = forward(model, xs, true);
  const loss = model.computeLoss(xs, ys, preds, sampleWeight, true);
  if (loss.total.requiresGrad && weights.length > 0) {
    const onLeafGradient = strategy?.beginStep(weights, samples);
    const local = grad(loss.total, weights, { onLeafGradient });
    // Tracked before the update (which does not change this batch's loss or predictions), so that
    // a strategy sums the logs with the gradients in one synchronization of the replicas.
    track(state, loss, ys, preds, sampleWeight);
    const grads = strategy ? strategy.reduceGradients(local, state) : local;
    state.optimizer.applyGradients(grads.map((g, i) => [g, weights[i]!] as const));
  } else track(state, loss, ys, preds, sampleWeight);
}

/** One evaluation step: forward (inference), loss and metrics, no gradients. */
export function testStep(
  model: Model,
  state: CompiledState,
  xs: readonly Tensor[],
  ys: readonly Tensor[],
  sampleWeight: Tensor | null,
): void {
  if (state.strategy && ys[0]?.shape[0] === 0) return; // a replica without rows in this batch
  noGrad(() => {
    const preds = forward(model, xs, false);
    track(state, model.computeLoss(xs, ys, preds, sampleWeight, false), ys, preds, sampleWeight);
  });
}

/** Options of `trainOnBatch` and `testOnBatch`. */
export interface BatchArgs {
  sampleWeight?: TensorLike;
  classWeight?: Readonly<Record<number, number>>;
  /** Reset the metrics first, so the result is this batch's alone (default true). */
  resetMetrics?: boolean;
}

/** The result of evaluate/trainOnBatch as Keras gives it: the loss alone when there are no other values. */
export function formatResult(
  state: CompiledState,
  returnDict: boolean,
): number | number[] | Record<string, number> {
  const logs = currentLogs(state);
  if (returnDict) return logs;
  const names = resultNames(state);
  return names.length === 1 ? logs['loss']! : names.map((n) => logs[n]!);
}

/** `model.trainOnBatch(x, y)`: one gradient step; the loss, or [loss, ...metrics]. */
export function trainOnBatch(
  model: Model,
  x: DataInput,
  y: DataInput,
  args: BatchArgs = {},
): number | number[] {
  const data = prepareData(model, 'trainOnBatch', x, y, args);
  const state = model.compiled!;
  if (args.resetMetrics ?? true) resetMetrics(state);
  trainStep(model, state, data.xs, data.ys, data.sampleWeight);
  return formatResult(state, false) as number | number[];
}

/** `model.testOnBatch(x, y)`: the loss (and metrics) on one batch without updating weights. */
export function testOnBatch(
  model: Model,
  x: DataInput,
  y: DataInput,
  args: BatchArgs = {},
): number | number[] {
  const data = prepareData(model, 'testOnBatch', x, y, args);
  const state = model.compiled!;
  if (args.resetMetrics ?? true) resetMetrics(state);
  testStep(model, state, data.xs, data.ys, data.sampleWeight);
  return formatResult(state, false) as number | number[];
}
