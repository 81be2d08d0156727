import type { SymbolicShape } from '../nn/engine/symbolic-tensor.js';
import type { LossIdentifier } from '../nn/losses/get-loss.js';
import { getLoss } from '../nn/losses/index.js';
import type { Loss } from '../nn/losses/loss.js';
import type { MetricIdentifier } from '../nn/metrics/get-metric.js';
import { getMetric } from '../nn/metrics/index.js';
import type { Metric } from '../nn/metrics/metric.js';
import type { OptimizerIdentifier } from '../nn/optimizers/get-optimizer.js';
import { getOptimizer } from '../nn/optimizers/index.js';
import type { Optimizer } from '../nn/optimizers/optimizer.js';
import type { Model } from './model.js';
import type { TrainingStrategy } from './strategy.js';

export type { LossIdentifier, LossName } from '../nn/losses/get-loss.js';
export type { MetricIdentifier, MetricName } from '../nn/metrics/get-metric.js';
export type { OptimizerIdentifier, OptimizerName } from '../nn/optimizers/get-optimizer.js';

/** Options of `compile`: optimizer, loss(es), metrics and loss weights. */
export interface CompileArgs {
  /** 'adam', 'sgd', ... or an Optimizer. */
  optimizer: OptimizerIdentifier;
  /** One loss for every output, or one per output as a list or a record keyed by output name. */
  loss:
    | LossIdentifier
    | readonly (LossIdentifier | null)[]
    | Readonly<Record<string, LossIdentifier>>;
  /**
   * Metrics: a list applied to every output, a list of lists (one per output) or a record keyed
   * by output name. 'accuracy' picks binary/categorical/sparse accuracy from the loss and shape.
   */
  metrics?:
    | readonly MetricIdentifier[]
    | readonly (readonly MetricIdentifier[])[]
    | Readonly<Record<string, MetricIdentifier | readonly MetricIdentifier[]>>;
  /** Weights of the per-output losses in the total loss (list or record; default 1 each). */
  lossWeights?: readonly number[] | Readonly<Record<string, number>>;
  /** Train on several processes (`distributed.init()`); default: this process alone. */
  strategy?: TrainingStrategy;
}

/** A weighted running mean (the loss trackers). */
export class RunningMean {
  private total = 0;
  private count = 0;
  update(value: number, weight: number): void {
    this.total += value * weight;
    this.count += weight;
  }
  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }
  reset(): void {
    this.total = 0;
    this.count = 0;
  }
  /** The pair (total, count): sums that merge across processes. */
  stateValues(): number[] {
    return [this.total, this.count];
  }
  setStateValues([total, count]: readonly number[]): void {
    this.total = total!;
    this.count = count!;
  }
}

export interface CompiledMetric {
  /** The log name: the identifier as written ('accuracy'), prefixed by the output name for multi-output models. */
  name: string;
  output: number;
  metric: Metric;
}

/** What `compile` resolved; metrics are created once the output shapes are known. */
export interface CompiledState {
  optimizer: Optimizer;
  outputNames: string[];
  /** One loss per output (null: that output is not trained). */
  losses: (Loss | null)[];
  lossWeights: number[];
  metricSpecs: MetricIdentifier[][];
  metrics: CompiledMetric[] | null;
  lossTracker: RunningMean;
  /** Per-output loss trackers (multi-output models only). */
  outputLossTrackers: RunningMean[];
  /** Trackers of the extra loss terms a model's `computeLoss` reports, by name (cleared on reset). */
  termTrackers: Map<string, RunningMean>;
  /** Distributed training's hooks; null trains in this process alone. */
  strategy: TrainingStrategy | null;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    Object.getPrototypeOf(v) === Object.prototype &&
    !('className' in v)
  );
}

function checkKeys(what: string, record: Record<string, unknown>, names: readonly string[]): void {
  for (const key of Object.keys(record)) {
    if (!names.includes(key)) {
      throw new Error(
        `compile: ${what} has a key '${key}' that is not an output name; outputs are ${names.map((n) => `'${n}'`).join(', ')}`,
      );
    }
  }
}

/** A per-output list from one value, a list (checked for length) or a record keyed by output name. */
function perOutput<T>(
  what: string,
  value: T | readonly T[] | Readonly<Record<string, T>>,
  names: readonly string[],
  missing: T,
): T[] {
  if (Array.isArray(value)) {
    if (value.length !== names.length) {
      throw new RangeError(
        `compile: ${what} is a list of ${value.length} but the model has ${names.length} output${names.length === 1 ? '' : 's'} (${names.join(', ')})`,
      );
    }
    return [...(value as T[])];
  }
  if (isRecord(value)) {
    checkKeys(what, value, names);
    return names.map((n) => (Object.hasOwn(value, n) ? (value as Record<string, T>)[n]! : missing));
  }
  return names.map(() => value as T);
}

/** The number and names of a model's outputs as far as they are known before data is seen. */
function outputNamesOf(model: Model, args: CompileArgs): string[] {
  if (model.graph) return model.outputNames;
  if (Array.isArray(args.loss)) return args.loss.map((_, i) => `output_${i + 1}`);
  return ['output'];
}

/** Resolves compile's arguments; unknown optimizer, loss or metric names throw here. */
export function compileModel(model: Model, args: CompileArgs): CompiledState {
  if (typeof args !== 'object' || args === null) {
    throw new TypeError(
      "compile: expected {optimizer, loss, metrics?}, e.g. compile({ optimizer: 'adam', loss: 'mse' })",
    );
  }
  if (args.optimizer === undefined)
    throw new TypeError("compile: 'optimizer' is required (e.g. 'adam')");
  if (args.loss === undefined)
    throw new TypeError("compile: 'loss' is required (e.g. 'categorical_crossentropy')");
  const optimizer = getOptimizer(args.optimizer);
  const names = outputNamesOf(model, args);
  const lossIds = perOutput<LossIdentifier | null>('loss', args.loss, names, null);
  const losses = lossIds.map((id) => (id === null || id === undefined ? null : getLoss(id)));
  if (losses.every((l) => l === null)) throw new Error('compile: no loss given for any output');
  const weights = perOutput<number>('lossWeights', args.lossWeights ?? 1, names, 1);
  for (const w of weights) {
    if (typeof w !== 'number' || !Number.isFinite(w)) {
      throw new RangeError(`compile: lossWeights must be finite numbers, got ${w}`);
    }
  }
  const metricSpecs = metricsPerOutput(args.metrics ?? [], names);
  const state: CompiledState = {
    optimizer,
    outputNames: names,
    losses,
    lossWeights: weights,
    metricSpecs,
    metrics: null,
    lossTracker: new RunningMean(),
    outputLossTrackers: names.length > 1 ? names.map(() => new RunningMean()) : [],
    termTrackers: new Map(),
    strategy: args.strategy ?? null,
  };
  if (model.graph)
    resolveMetrics(
      state,
      model.graph.outputs.map((t) => t.shape),
    );
  return state;
}

function metricsPerOutput(
  metrics: NonNullable<CompileArgs['metrics']>,
  names: readonly string[],
): MetricIdentifier[][] {
  if (Array.isArray(metrics)) {
    const nested = metrics.length > 0 && metrics.every((m) => Array.isArray(m));
    if (nested) {
      return perOutput<readonly MetricIdentifier[]>('metrics', metrics, names, []).map((m) => [
        ...m,
      ]);
    }
    return names.map(() => [...(metrics as MetricIdentifier[])]);
  }
  if (isRecord(metrics)) {
    checkKeys('metrics', metrics, names);
    return names.map((n) => {
      const m = (metrics as Record<string, MetricIdentifier | MetricIdentifier[]>)[n];
      return m === undefined ? [] : Array.isArray(m) ? [...m] : [m as MetricIdentifier];
    });
  }
  throw new TypeError(
    'compile: metrics must be a list (or a list per output, or a record keyed by output name)',
  );
}

/** Creates the metric objects for these output shapes (batch axis null). */
export function resolveMetrics(state: CompiledState, outputShapes: readonly SymbolicShape[]): void {
  const multi = state.outputNames.length > 1;
  const metrics: CompiledMetric[] = [];
  state.metricSpecs.forEach((ids, output) => {
    for (const id of ids) {
      const metric = getMetric(id, {
        loss: state.losses[output] ?? undefined,
        outputShape: outputShapes[output],
      });
      const base = typeof id === 'string' ? id : metric.name;
      metrics.push({ name: multi ? `${state.outputNames[output]}_${base}` : base, output, metric });
    }
  });
  state.metrics = metrics;
}

/** Clears the loss trackers and metrics (start of an epoch or an evaluation). */
export function resetMetrics(state: CompiledState): void {
  state.lossTracker.reset();
  for (const t of state.outputLossTrackers) t.reset();
  state.termTrackers.clear();
  for (const m of state.metrics ?? []) m.metric.resetState();
}

/**
 * The current values: 'loss', per-output losses, then the metrics; keys sorted as Keras logs them.
 * Under a strategy they cover every replica's batches.
 */
export function currentLogs(state: CompiledState): Record<string, number> {
  return state.strategy ? state.strategy.reduceLogs(state, localLogs) : localLogs(state);
}

/** The running loss trackers' and metrics' states mid-epoch (a backup resumes them). */
export interface MetricStates {
  /** The loss tracker, per-output loss trackers and compiled metrics, in that order. */
  trackers: number[][];
  /** Named loss terms (regularization, ...), by name. */
  terms: [string, number[]][];
}

function trackersOf(state: CompiledState) {
  return [
    state.lossTracker,
    ...state.outputLossTrackers,
    ...(state.metrics ?? []).map((m) => m.metric),
  ];
}

export function metricStates(state: CompiledState): MetricStates {
  return {
    trackers: trackersOf(state).map((t) => [...t.stateValues()]),
    terms: [...state.termTrackers].map(([name, t]) => [name, [...t.stateValues()]]),
  };
}

/** Restores `metricStates`; `source` names the file in errors. */
export function setMetricStates(state: CompiledState, saved: MetricStates, source: string): void {
  const trackers = trackersOf(state);
  const ok = (v: unknown) => Array.isArray(v) && v.every((n) => typeof n === 'number');
  if (
    !Array.isArray(saved.trackers) ||
    saved.trackers.length !== trackers.length ||
    !saved.trackers.every(ok) ||
    !Array.isArray(saved.terms) ||
    !saved.terms.every((e) => Array.isArray(e) && typeof e[0] === 'string' && ok(e[1]))
  ) {
    throw new Error(
      `${source}: the saved metric states do not match the ${trackers.length} compiled loss trackers and metrics`,
    );
  }
  for (const [i, t] of trackers.entries()) t.setStateValues(saved.trackers[i]!);
  state.termTrackers.clear();
  for (const [name, values] of saved.terms) {
    const t = new RunningMean();
    t.setStateValues(values);
    state.termTrackers.set(name, t);
  }
}

/** The current values of this process's trackers and metrics alone. */
function localLogs(state: CompiledState): Record<string, number> {
  const logs: Record<string, number> = { loss: state.lossTracker.result() };
  state.outputLossTrackers.forEach((t, i) => {
    logs[`${state.outputNames[i]}_loss`] = t.result();
  });
  for (const [name, t] of state.termTrackers) logs[name] = t.result();
  for (const m of state.metrics ?? []) logs[m.name] = m.metric.result();
  return sortedLogs(logs);
}

/** The same logs with keys in sorted order. */
export function sortedLogs(logs: Record<string, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(logs).sort()) out[k] = logs[k]!;
  return out;
}

/** Names in the order `evaluate` returns its list: loss, per-output losses, metrics in compile order. */
export function resultNames(state: CompiledState): string[] {
  return [
    'loss',
    ...state.outputLossTrackers.map((_, i) => `${state.outputNames[i]}_loss`),
    ...(state.metrics ?? []).map((m) => m.name),
  ];
}
