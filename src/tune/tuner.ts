/**
 * The tuner (KerasTuner's Tuner and Oracle in one): asks its algorithm for the next trial, draws
 * new configurations by running `build(hp)`, trains trials in this process or on worker
 * processes, records every epoch in the study store and prunes, and answers for the best models.
 * The study lives in SQLite, so a search killed at any point resumes where it stopped: trials it
 * left running are trained again under the same number, so none is counted twice.
 * `const tuner = new Hyperband({ build, objective: 'val_accuracy', maxEpochs: 9 });`
 * `await tuner.search(x, y, { validationData: [xv, yv] }); const [best] = await tuner.getBestModels();`
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataInput } from '../models/data-adapter.js';
import type { Model } from '../models/model.js';
import { Rng } from '../random/rng.js';
import type { AlgorithmContext, Job, SearchAlgorithm } from './algorithms/algorithm.js';
import { absoluteRef, type BuildRef, isBuildRef, loadBuild } from './build-ref.js';
import { HyperParameters, type ParamSpec, type Params } from './hyperparameters.js';
import type { MedianStoppingPruner } from './median-pruner.js';
import {
  bestOf,
  type Constraint,
  checkConstraint,
  type Objective,
  type ObjectiveLike,
  paretoFront,
  parseObjectives,
  signed,
  violations,
} from './objective.js';
import { mergeSpace } from './space.js';
import { StudyStore } from './storage.js';
import { isFinished, type TrialMeta, type TrialRecord, trialEpochs } from './trial.js';
import {
  type BuildFn,
  buildModel,
  countParams,
  type EpochHook,
  executionPath,
  runTrial,
  type TrialFitArgs,
  TrialInterrupted,
  type TrialJob,
  type TrialOutcome,
  type TrialSetup,
} from './trial-runner.js';
import { type TrialExecutor, WorkerPool } from './worker-pool.js';

/** Options common to every tuner: the build function, objective(s), trials, storage, workers. */
export interface TunerOptions {
  /** `build(hp)` returning a compiled model, or `{module, export}` naming one (needed for workers). */
  build: BuildFn | BuildRef;
  /** 'val_accuracy', {name, direction}, or several for a multi-objective search ('params' is the parameter count). */
  objective: ObjectiveLike;
  /** Trials breaking one are 'infeasible' and never best: `[{ metric: 'params', max: 100_000 }]`. */
  constraints?: readonly Constraint[];
  /** Most trials in the study (every promotion is a trial). */
  maxTrials?: number;
  /** Most epochs trained in total over all trials (the budget). */
  maxTotalEpochs?: number;
  /** Trials trained at once, each on its own worker process (default 1: in this process). */
  maxConcurrentTrials?: number;
  /**
   * Trainings of each trial's hyperparameters from differently seeded weights (default 1); the
   * objective is scored on their mean logs, and each counts against maxTotalEpochs.
   */
  executionsPerTrial?: number;
  /** Stops trials whose intermediate values lag (median stopping rule). */
  pruner?: MedianStoppingPruner;
  /** Seeds sampling and every trial's weights (default 0). */
  seed?: number;
  /** Where the study lives: `<directory>/tuning.db` and `<directory>/<projectName>/checkpoints`. Default: a new temporary folder. */
  directory?: string;
  /** The study's name (default 'untitled_project'). */
  projectName?: string;
  /** Start the study afresh instead of resuming it (default false). */
  overwrite?: boolean;
  /** Weights kept after the search: the best this many trials and the Pareto front (default 3). */
  keepCheckpoints?: number;
  /** Consecutive failed trials that end the search with an error (default 3, as KerasTuner). */
  maxConsecutiveFailedTrials?: number;
}

export interface SearchArgs extends TrialFitArgs {
  /** Epochs of a trial for algorithms with fixed-length trials (random, Bayesian; default 1). */
  epochs?: number;
  /** 0 silent, 1 one line per finished trial (default 1). */
  verbose?: number;
  /** Progress lines go here (default console.log). */
  log?: (line: string) => void;
  /** Called after every epoch of a trial (in workers too) and every finished trial. */
  onProgress?: (progress: SearchProgress) => void;
  /**
   * Stops the search: no new trial starts, running trials end after their current batch and are
   * recorded as 'interrupted' (run again when the study resumes), and `search` rejects with
   * `SearchInterrupted`.
   */
  signal?: AbortSignal;
}

/** Where a search stands, for progress bars: trials finished and the best first objective so far. */
interface SearchStanding {
  /** Trials of the study that have ended (complete, pruned, failed, infeasible). */
  trialsDone: number;
  /** The search's maxTrials, or null when unbounded. */
  maxTrials: number | null;
  /** The first objective's name and its best value so far (null before any scored trial). */
  objective: string;
  best: number | null;
}

/**
 * A step of `search`: 'epoch' after each epoch of a running trial (epoch counts finished epochs of
 * `epochs`), 'trial' when a trial ends with `state`.
 */
export type SearchProgress = SearchStanding &
  (
    | { type: 'epoch'; trial: number; epoch: number; epochs: number; logs: Record<string, number> }
    | { type: 'trial'; trial: number; state: string }
  );

/** `search` was stopped by its AbortSignal; the study is saved and resumes where it stopped. */
export class SearchInterrupted extends Error {
  override name = 'SearchInterrupted';
}

/** The objective (or a constraint's metric) was not among the logs: a setup error that ends the search. */
export class ObjectiveNotLoggedError extends Error {
  override name = 'ObjectiveNotLoggedError';
}

/** What the search loop shares with its trials. */
interface SearchState {
  fatal: unknown;
  failedInARow: number;
  /** Trials stopped by the AbortSignal. */
  interrupted: number[];
}

type NextTrial = { number: number; params: Params; meta: TrialMeta } | 'wait' | 'done' | 'again';

class InProcessExecutor implements TrialExecutor {
  readonly slots = 1;
  constructor(private readonly setup: TrialSetup) {}
  run(job: TrialJob, onEpoch: EpochHook, signal?: AbortSignal): Promise<TrialOutcome> {
    return runTrial(this.setup, job, onEpoch, signal);
  }
  async close(): Promise<void> {}
}

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * The base of the tuners: runs trials of `build(hp)` with an algorithm, stores them and reports the
 * best.
 */
export class Tuner {
  readonly store: StudyStore;
  readonly study: string;
  readonly directory: string;
  readonly objectives: Objective[];
  readonly constraints: readonly Constraint[];
  private readonly seed: number;
  private buildFn: BuildFn | null;
  private readonly buildRef: BuildRef | null;
  private space: ParamSpec[];
  private readonly executions: number;

  constructor(
    private readonly options: TunerOptions,
    readonly algorithm: SearchAlgorithm,
  ) {
    if (!options || (typeof options.build !== 'function' && !isBuildRef(options.build)))
      throw new TypeError('Tuner: build must be a function (hp) => model or {module, export}');
    this.objectives = parseObjectives(options.objective);
    this.constraints = (options.constraints ?? []).map(checkConstraint);
    for (const [k, v] of Object.entries({
      maxTrials: options.maxTrials,
      maxTotalEpochs: options.maxTotalEpochs,
      maxConcurrentTrials: options.maxConcurrentTrials,
      executionsPerTrial: options.executionsPerTrial,
    }))
      if (v !== undefined && (!Number.isInteger(v) || v < 1))
        throw new RangeError(`Tuner: ${k} must be a positive integer, got ${v}`);
    this.seed = options.seed ?? 0;
    this.executions = options.executionsPerTrial ?? 1;
    this.buildFn = typeof options.build === 'function' ? options.build : null;
    this.buildRef = isBuildRef(options.build) ? absoluteRef(options.build) : null;
    this.directory = options.directory ?? mkdtempSync(join(tmpdir(), 'keel-tune-'));
    this.study = options.projectName ?? 'untitled_project';
    mkdirSync(this.directory, { recursive: true });
    this.store = new StudyStore(join(this.directory, 'tuning.db'));
    if (options.overwrite) {
      this.store.deleteStudy(this.study);
      rmSync(this.checkpointDir(), { recursive: true, force: true });
    }
    const info = this.store.openStudy(this.study, this.objectives, algorithm.name, {
      ...algorithm.config(),
      seed: this.seed,
      constraints: this.constraints,
      ...(this.executions > 1 ? { executionsPerTrial: this.executions } : {}),
    });
    this.space = info.space;
  }

  private checkpointDir(): string {
    return join(this.directory, this.study, 'checkpoints');
  }

  /** Where a trial's weights are saved. */
  checkpointPath(trial: number): string {
    return join(this.checkpointDir(), `trial-${trial}.weights`);
  }

  private async build(): Promise<BuildFn> {
    this.buildFn ??= await loadBuild(this.buildRef!);
    return this.buildFn;
  }

  /** A trial's score on the first objective, larger is better; null when it has none. */
  score(t: TrialRecord): number | null {
    if ((t.state !== 'complete' && t.state !== 'pruned') || !t.values || t.values[0] === null)
      return null;
    return signed(this.objectives[0]!, t.values[0]!);
  }

  private context(trials: TrialRecord[], epochs: number): AlgorithmContext {
    return {
      trials,
      space: this.space,
      score: (t) => this.score(t),
      epochs,
      rng: new Rng((Math.imul(this.seed + 1, 0x9e3779b1) + trials.length) >>> 0),
    };
  }

  /**
   * Trains trials until the algorithm, maxTrials or maxTotalEpochs says stop. Resumes the study
   * if it already has trials. Rejects on setup errors (an objective never logged, a parameter
   * redefined, too many consecutive failures); a trial whose build or fit throws is 'failed'.
   */
  async search(x: DataInput, y: DataInput, args: SearchArgs = {}): Promise<void> {
    const { epochs = 1, verbose = 1, log = console.log, signal, onProgress, ...fit } = args;
    this.onProgress = onProgress ?? null;
    if (!Number.isInteger(epochs) || epochs < 1)
      throw new RangeError(`Tuner.search: epochs must be a positive integer, got ${epochs}`);
    const say = verbose > 0 ? log : () => {};
    const workers = this.options.maxConcurrentTrials ?? 1;
    await this.build();
    const requeued = this.store.requeueInterrupted(this.study);
    if (requeued.length)
      say(
        `Resuming study '${this.study}': trials ${requeued.join(', ')} were interrupted and run again`,
      );
    let executor: TrialExecutor;
    if (workers > 1) {
      if (!this.buildRef)
        throw new TypeError(
          'Tuner: maxConcurrentTrials > 1 needs build as {module, export}, which worker processes can load',
        );
      if (fit.callbacks?.length)
        throw new TypeError(
          'Tuner: callbacks cannot be sent to worker processes; use maxConcurrentTrials 1',
        );
      const { validationData, callbacks: _c, ...plain } = fit;
      executor = await WorkerPool.start(workers, this.buildRef, { x, y, validationData }, plain);
    } else {
      executor = new InProcessExecutor({ build: await this.build(), x, y, fit });
    }
    const running = new Map<number, Promise<void>>();
    const state = { fatal: null as unknown, failedInARow: 0, interrupted: [] as number[] };
    try {
      let exhausted = false;
      for (;;) {
        while (!state.fatal && !exhausted && !signal?.aborted && running.size < executor.slots) {
          const next = await this.nextTrial(epochs, running.size > 0, state);
          if (next === 'again') continue;
          if (next === 'wait') break;
          if (next === 'done') {
            exhausted = true;
            break;
          }
          const p = this.execute(executor, next, state, say, signal).finally(() =>
            running.delete(next.number),
          );
          running.set(next.number, p);
        }
        if (running.size === 0) break;
        await Promise.race(running.values());
      }
    } finally {
      await executor.close();
    }
    if (state.fatal) throw state.fatal;
    if (signal?.aborted) {
      const which = state.interrupted.length
        ? `; trials ${state.interrupted.sort((a, b) => a - b).join(', ')} were stopped and run again on resume`
        : '';
      throw new SearchInterrupted(
        `Tuner: the search of study '${this.study}' was interrupted${which}`,
      );
    }
    this.pruneCheckpoints();
  }

  private async nextTrial(epochs: number, busy: boolean, state: SearchState): Promise<NextTrial> {
    const trials = this.store.listTrials(this.study);
    const waiting = trials.find((t) => t.state === 'waiting');
    if (waiting) {
      this.store.startTrial(this.study, waiting.number);
      return { number: waiting.number, params: waiting.params, meta: waiting.meta };
    }
    const { maxTrials, maxTotalEpochs, maxConsecutiveFailedTrials = 3 } = this.options;
    if (state.failedInARow >= maxConsecutiveFailedTrials) {
      const last = trials.filter((t) => t.state === 'failed').at(-1);
      state.fatal ??= new Error(
        `Tuner: ${state.failedInARow} trials in a row failed; the last (trial ${last?.number}): ${last?.error}`,
      );
      return 'done';
    }
    if (maxTrials !== undefined && trials.length >= maxTrials) return 'done';
    const ctx = this.context(trials, epochs);
    const job: Job | 'wait' | 'done' = this.algorithm.next(ctx);
    if (job === 'wait' || job === 'done') return job;
    const used = this.executions * trials.reduce((s, t) => s + trialEpochs(t), 0);
    const cost = this.executions * (job.epochs - job.initialEpoch);
    if (maxTotalEpochs !== undefined && used + cost > maxTotalEpochs) return busy ? 'wait' : 'done';
    const meta: TrialMeta = { initialEpoch: job.initialEpoch, epochs: job.epochs };
    for (const k of ['parent', 'bracket', 'rung'] as const)
      if (job[k] !== undefined) meta[k] = job[k];
    if (job.params)
      return {
        number: this.store.addTrial(this.study, job.params, meta),
        params: job.params,
        meta,
      };
    // A new configuration: run build with the algorithm's sampler to learn its parameters.
    const hp = new HyperParameters({}, this.algorithm.sampler(ctx));
    let model: Model;
    try {
      model = await buildModel(await this.build(), hp);
    } catch (e) {
      if (e instanceof RangeError && e.message.startsWith('HyperParameters')) {
        state.fatal = e;
        return 'done';
      }
      const number = this.store.addTrial(this.study, hp.values, meta);
      this.store.finishTrial(this.study, number, { state: 'failed', error: describeError(e) });
      state.failedInARow++;
      return 'again';
    }
    try {
      this.space = mergeSpace([...this.space], hp.space);
    } catch (e) {
      state.fatal = e;
      return 'done';
    }
    this.store.setSpace(this.study, this.space);
    if (hp.space.length === 0 && trials.length === 0) {
      state.fatal = new RangeError(
        'Tuner: the search space is empty: build(hp) defined no hyperparameters (use hp.int, hp.float, hp.choice, ...)',
      );
      return 'done';
    }
    const number = this.store.addTrial(this.study, hp.values, meta);
    const broken = violations(
      this.constraints.filter((c) => c.metric === 'params'),
      { params: countParams(model) },
    );
    if (broken) {
      this.store.finishTrial(this.study, number, {
        state: 'infeasible',
        metrics: { params: countParams(model) },
        error: broken,
      });
      return 'again';
    }
    return { number, params: hp.values, meta };
  }

  private onProgress: ((p: SearchProgress) => void) | null = null;

  private standing(): SearchStanding {
    const trials = this.results();
    const best = this.getBestTrials(1)[0];
    return {
      trialsDone: trials.filter((t) => !['running', 'waiting', 'interrupted'].includes(t.state))
        .length,
      maxTrials: this.options.maxTrials ?? null,
      objective: this.objectives[0]!.name,
      best: best?.values?.[0] ?? null,
    };
  }

  /** The metrics every epoch must log: the objectives and constraints, except 'params'. */
  private checkLogged(logs: Record<string, number>): void {
    const needed = [
      ...this.objectives.map((o) => o.name),
      ...this.constraints.map((c) => c.metric),
    ];
    const missing = needed.filter((n) => n !== 'params' && !(n in logs));
    if (missing.length)
      throw new ObjectiveNotLoggedError(
        `Tuner: the objective '${missing.join("', '")}' was never logged; the trial logged: ${Object.keys(logs).sort().join(', ') || 'nothing'}`,
      );
  }

  private async execute(
    executor: TrialExecutor,
    { number, params, meta }: { number: number; params: Params; meta: TrialMeta },
    state: SearchState,
    say: (line: string) => void,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    const first = this.objectives[0]!;
    const job: TrialJob = {
      number,
      params,
      initialEpoch: meta.initialEpoch,
      epochs: meta.epochs,
      seed: (Math.imul(this.seed, 1_000_003) + number) >>> 0,
      checkpoint: this.checkpointPath(number),
      ...(this.executions > 1 ? { executions: this.executions } : {}),
      ...(meta.parent !== undefined ? { parentCheckpoint: this.checkpointPath(meta.parent) } : {}),
    };
    mkdirSync(this.checkpointDir(), { recursive: true });
    const onEpoch: EpochHook = (step, logs) => {
      this.checkLogged(logs);
      const value = first.name in logs ? logs[first.name]! : null;
      this.store.reportIntermediate(this.study, number, { step, value, logs });
      this.onProgress?.({
        type: 'epoch',
        trial: number,
        epoch: step + 1,
        epochs: meta.epochs,
        logs,
        ...this.standing(),
      });
      if (!this.options.pruner || value === null) return false;
      const trials = this.store.listTrials(this.study);
      const me = trials.find((t) => t.number === number)!;
      return this.options.pruner.shouldPrune(trials, me, step, (v) => signed(first, v));
    };
    let outcome: TrialOutcome;
    try {
      outcome = await executor.run(job, onEpoch, signal);
    } catch (e) {
      if (e instanceof TrialInterrupted) {
        this.store.interruptTrial(this.study, number);
        state.interrupted.push(number);
        say(`Trial ${number} interrupted; it runs again when the study resumes`);
        this.onProgress?.({
          type: 'trial',
          trial: number,
          state: 'interrupted',
          ...this.standing(),
        });
        return;
      }
      this.store.finishTrial(this.study, number, { state: 'failed', error: describeError(e) });
      say(`Trial ${number} failed: ${describeError(e)}`);
      this.onProgress?.({ type: 'trial', trial: number, state: 'failed', ...this.standing() });
      if (
        e instanceof ObjectiveNotLoggedError ||
        (e instanceof Error && /was never logged; the trial logged/.test(e.message))
      )
        state.fatal ??= e;
      else state.failedInARow++;
      return;
    }
    state.failedInARow = 0;
    const epochs = this.store.listTrials(this.study).find((t) => t.number === number)!.intermediate;
    const values = this.objectives.map((o) =>
      o.name === 'params'
        ? outcome.params
        : bestOf(
            o,
            epochs.map((e) => e.logs[o.name] ?? Number.NaN),
          ),
    );
    const metrics = { ...outcome.logs, params: outcome.params };
    const broken = violations(this.constraints, metrics);
    const result = broken ? 'infeasible' : outcome.stopped ? 'pruned' : 'complete';
    this.store.finishTrial(this.study, number, {
      state: result,
      values: values as number[],
      metrics,
      error: broken || null,
    });
    const shown = this.objectives.map((o, i) => `${o.name}=${values[i]}`).join(' ');
    say(
      `Trial ${number} ${result} (epochs ${meta.initialEpoch}-${meta.epochs}): ${shown} ${JSON.stringify(params)}`,
    );
    this.onProgress?.({ type: 'trial', trial: number, state: result, ...this.standing() });
  }

  /** Every trial of the study so far. */
  results(): TrialRecord[] {
    return this.store.listTrials(this.study);
  }

  /** The best n scored trials, best first (first objective; infeasible and failed trials never). */
  getBestTrials(n = 1): TrialRecord[] {
    return this.results()
      .filter((t) => this.score(t) !== null)
      .sort((a, b) => this.score(b)! - this.score(a)! || a.number - b.number)
      .slice(0, n);
  }

  /** The hyperparameters of the best n trials. `(await tuner.getBestHyperparameters())[0].get('units')` */
  getBestHyperparameters(n = 1): HyperParameters[] {
    return this.getBestTrials(n).map((t) => {
      const hp = new HyperParameters(t.params);
      for (const spec of this.space) if (Object.hasOwn(t.params, spec.name)) hp.space.push(spec);
      Object.assign(hp.values, t.params);
      return hp;
    });
  }

  /** The best n models, rebuilt and loaded with the weights their trials (first execution) ended with. */
  async getBestModels(n = 1): Promise<Model[]> {
    const build = await this.build();
    const models: Model[] = [];
    for (const t of this.getBestTrials(n)) {
      const model = await buildModel(build, new HyperParameters(t.params));
      model.loadWeights(this.checkpointPath(t.number));
      models.push(model);
    }
    return models;
  }

  /** The trials no other feasible trial beats on every objective (for one objective: the best). */
  paretoFront(): TrialRecord[] {
    const scored = this.results().filter(
      (t) => (t.state === 'complete' || t.state === 'pruned') && t.values?.every((v) => v !== null),
    );
    return paretoFront(this.objectives, scored, (t) => t.values!);
  }

  /** Deletes the weights of trials that are neither among the best keepCheckpoints nor on the Pareto front. */
  private pruneCheckpoints(): void {
    const keep = new Set([
      ...this.getBestTrials(this.options.keepCheckpoints ?? 3).map((t) => t.number),
      ...this.paretoFront().map((t) => t.number),
    ]);
    for (const t of this.results())
      if (!keep.has(t.number) && isFinished(t))
        for (let e = 0; e < this.executions; e++)
          rmSync(executionPath(this.checkpointPath(t.number), e), { force: true });
  }

  /** Closes the study's database. */
  close(): void {
    this.store.close();
  }
}
