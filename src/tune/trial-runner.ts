/**
 * Trains one trial: builds the model from its hyperparameters, continues its parent's weights
 * for a promotion, fits epochs [initialEpoch, epochs) reporting each epoch's logs (the reply may
 * stop it: pruning), and saves its weights. The same function runs in the search's process and
 * in worker processes (worker.ts). With `executions` > 1 (KerasTuner's executions_per_trial) the
 * same hyperparameters train that many times from differently seeded weights, one after another;
 * each epoch's logs are the mean over the executions, and execution e keeps its own checkpoint
 * (`executionPath`), so a promotion continues every execution of its parent.
 */
import { Dataset } from '../data/dataset/dataset.js';
import type { DataInput } from '../models/data-adapter.js';
import type { Model } from '../models/model.js';
import { Callback, type Logs } from '../nn/callbacks/callback.js';
import { gather } from '../ops/gather.js';
import { getRng, setSeed } from '../random/rng.js';
import { Tensor } from '../tensor/tensor.js';
import { EventLoopYielder } from '../utils/event-loop.js';
import { HyperParameters, type Params } from './hyperparameters.js';

/** `build(hp)`: returns a compiled model (may be async). */
export type BuildFn = (hp: HyperParameters) => Model | Promise<Model>;

/** fit's settings for every trial of a search. */
export interface TrialFitArgs {
  batchSize?: number;
  validationData?: readonly [DataInput, DataInput];
  validationSplit?: number;
  shuffle?: boolean;
  /** Train each epoch on this many samples drawn at random from x (a subsample per epoch). */
  samplesPerEpoch?: number;
  callbacks?: readonly Callback[];
}

/** What every trial of a search shares: the build function, the data and fit's settings. */
export interface TrialSetup {
  build: BuildFn;
  x: DataInput;
  y: DataInput;
  fit: TrialFitArgs;
}

export interface TrialJob {
  number: number;
  params: Params;
  initialEpoch: number;
  epochs: number;
  /** Seeds the global generator before build, so weights and shuffles repeat. */
  seed: number;
  /** Weights to start from (the parent trial's), and where to save this trial's. */
  parentCheckpoint?: string;
  checkpoint?: string;
  /** Trainings of the same hyperparameters whose logs are averaged (default 1). */
  executions?: number;
}

export interface TrialOutcome {
  /** The model's parameter count. */
  params: number;
  /** Whether the epoch callback stopped it early. */
  stopped: boolean;
  /** The last epoch's logs. */
  logs: Logs;
}

/** A trial stopped by its search's AbortSignal (Ctrl-C): neither failed nor finished, it runs again on resume. */
export class TrialInterrupted extends Error {
  override name = 'TrialInterrupted';
}

/** Ends fit at the end of the batch during which `signal` aborted. */
class AbortAtBatchEnd extends Callback {
  private readonly yielder = new EventLoopYielder();
  constructor(private readonly signal: AbortSignal) {
    super();
  }
  override async onTrainBatchEnd(): Promise<void> {
    // The abort comes from a signal handler or an IPC message: let the event loop run them.
    await this.yielder.maybeYield();
    if (this.signal.aborted) throw new TrialInterrupted('Tuner: the trial was interrupted');
  }
}

/** Asked after every epoch; resolves to true to stop the trial there. */
export type EpochHook = (step: number, logs: Logs) => boolean | Promise<boolean>;

class EpochReporter extends Callback {
  stopped = false;
  last: Logs = {};
  constructor(private readonly hook: EpochHook) {
    super();
  }
  override async onEpochEnd(epoch: number, logs: Logs): Promise<void> {
    this.last = { ...logs };
    if (await this.hook(epoch, { ...logs })) {
      this.stopped = true;
      this.model!.stopTraining = true;
    }
  }
}

/** The number of weights of a model (Keras's count_params). */
export function countParams(model: Model): number {
  return model.weights.reduce((s, w) => s + w.size, 0);
}

/** Builds a model with fixed hyperparameters and checks that build returned a compiled model. */
export async function buildModel(build: BuildFn, hp: HyperParameters): Promise<Model> {
  let model: Model;
  try {
    model = await build(hp);
  } catch (e) {
    if (e instanceof RangeError && e.message.startsWith('HyperParameters')) throw e;
    throw new Error(`build(hp) threw: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!model || typeof (model as Model).fit !== 'function')
    throw new TypeError(`Tuner: build(hp) must return a Keel model, got ${typeof model}`);
  if (!model.compiled)
    throw new Error('Tuner: build(hp) must return a compiled model (call model.compile)');
  return model;
}

/** Batches of `samples` rows drawn without replacement from (x, y) each epoch, endlessly. */
function subsampled(
  x: Tensor,
  y: Tensor,
  samples: number,
  batchSize: number,
): Dataset<[Tensor, Tensor]> {
  const n = x.shape[0]!;
  if (!Number.isInteger(samples) || samples < 1 || samples > n)
    throw new RangeError(
      `Tuner: samplesPerEpoch must be an integer in [1, ${n}] (the training samples), got ${samples}`,
    );
  return Dataset.fromGenerator(function* () {
    for (;;) {
      const order = getRng().permutation(n).subarray(0, samples);
      for (let i = 0; i < samples; i += batchSize) {
        const idx = order.subarray(i, Math.min(samples, i + batchSize));
        yield [gather(x, idx), gather(y, idx)] as [Tensor, Tensor];
      }
    }
  });
}

/** Where execution `e` of a trial keeps its weights: the trial's path for the first. */
export function executionPath(path: string, e: number): string {
  return e === 0 ? path : `${path.replace(/\.weights$/, '')}.execution-${e}.weights`;
}

/** Each metric's mean over the logs that have it. */
function meanLogs(logs: readonly Logs[]): Logs {
  const sums: Record<string, [number, number]> = {};
  for (const l of logs)
    for (const [k, v] of Object.entries(l)) {
      const s = (sums[k] ??= [0, 0]);
      s[0] += v;
      s[1]++;
    }
  return Object.fromEntries(Object.entries(sums).map(([k, [sum, n]]) => [k, sum / n]));
}

/**
 * Runs one trial to the end (or until `onEpoch` stops it). With several executions, the earlier
 * ones run to the end and `onEpoch` (pruning) sees the last one's epochs, each averaged with the
 * same epoch of the earlier executions. When `signal` aborts, the trial ends after the current
 * batch by throwing `TrialInterrupted`, without saving its weights.
 */
export async function runTrial(
  setup: TrialSetup,
  job: TrialJob,
  onEpoch: EpochHook,
  signal?: AbortSignal,
): Promise<TrialOutcome> {
  if (signal?.aborted) throw new TrialInterrupted('Tuner: the trial was interrupted');
  const executions = job.executions ?? 1;
  if (!Number.isInteger(executions) || executions < 1)
    throw new RangeError(`Tuner: executionsPerTrial must be a positive integer, got ${executions}`);
  if (executions === 1) return runExecution(setup, job, onEpoch, signal);
  const history: Logs[][] = [];
  let outcome: TrialOutcome | null = null;
  for (let e = 0; e < executions; e++) {
    const mine: Logs[] = [];
    history.push(mine);
    const last = e === executions - 1;
    const hook: EpochHook = (_step, logs) => {
      mine.push(logs);
      const i = mine.length - 1;
      return last ? onEpoch(_step, meanLogs(history.flatMap((h) => (h[i] ? [h[i]!] : [])))) : false;
    };
    outcome = await runExecution(
      setup,
      {
        ...job,
        seed: (job.seed + Math.imul(e, 0x9e3779b1)) >>> 0,
        ...(job.parentCheckpoint
          ? { parentCheckpoint: executionPath(job.parentCheckpoint, e) }
          : {}),
        ...(job.checkpoint ? { checkpoint: executionPath(job.checkpoint, e) } : {}),
      },
      hook,
      signal,
    );
  }
  const end = history.at(-1)!.length - 1;
  return {
    params: outcome!.params,
    stopped: outcome!.stopped,
    logs: meanLogs(history.flatMap((h) => (h[end] ? [h[end]!] : []))),
  };
}

async function runExecution(
  { build, x, y, fit }: TrialSetup,
  job: TrialJob,
  onEpoch: EpochHook,
  signal?: AbortSignal,
): Promise<TrialOutcome> {
  setSeed(job.seed);
  const model = await buildModel(build, new HyperParameters(job.params));
  if (job.parentCheckpoint) model.loadWeights(job.parentCheckpoint);
  const reporter = new EpochReporter(onEpoch);
  const callbacks = [
    ...(fit.callbacks ?? []),
    reporter,
    ...(signal ? [new AbortAtBatchEnd(signal)] : []),
  ];
  const batchSize = fit.batchSize ?? 32;
  const common = { epochs: job.epochs, initialEpoch: job.initialEpoch, callbacks, verbose: 0 };
  if (fit.samplesPerEpoch !== undefined) {
    if (!(x instanceof Tensor) || !(y instanceof Tensor))
      throw new TypeError('Tuner: samplesPerEpoch needs x and y as single tensors');
    if (!fit.validationData) throw new Error('Tuner: samplesPerEpoch needs validationData');
    await model.fit(subsampled(x, y, fit.samplesPerEpoch, batchSize), {
      ...common,
      stepsPerEpoch: Math.ceil(fit.samplesPerEpoch / batchSize),
      validationData: fit.validationData,
    });
  } else {
    await model.fit(x, y, {
      ...common,
      batchSize,
      shuffle: fit.shuffle,
      validationData: fit.validationData,
      validationSplit: fit.validationSplit,
    });
  }
  if (job.checkpoint) model.saveWeights(job.checkpoint);
  return { params: countParams(model), stopped: reporter.stopped, logs: reporter.last };
}
