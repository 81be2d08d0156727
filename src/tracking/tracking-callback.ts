import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import type { Model } from '../models/model.js';
import { Callback, type Logs } from '../nn/callbacks/callback.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Evaluation, evaluateClassifier } from './evaluation.js';
import { histogram } from './histogram.js';
import { modelGraph } from './model-graph.js';
import { gitCommit, modelParams } from './run-params.js';
import { type MetricRow, type RunStatus, TrackingStore } from './store.js';

/** Options of the `Tracking` callback. */
export interface TrackingArgs {
  /** The tracking folder (its keel-runs.sqlite is created when missing). */
  dir?: string;
  /** Or an open store. */
  store?: TrackingStore;
  /** The run's name (default: the model's name). */
  name?: string;
  tags?: readonly string[];
  /** Extra parameters to record (data fingerprint, seed, config file, ...). */
  params?: Record<string, unknown>;
  /** Buffered rows are written at most this often, in one transaction (default 1 s). */
  flushSeconds?: number;
  /** Weight histograms at each epoch end (default true). */
  histograms?: boolean;
  /**
   * Checkpoint files (a ModelCheckpoint's or BackupAndRestore's path) copied into the tracking
   * folder as artifacts `checkpoints/<file name>` at each epoch end where they changed, and when
   * the run ends (an interrupted run keeps its last checkpoint).
   */
  checkpoints?: readonly string[];
}

/** Runs still open in this process, ended as failed if the process exits under them. */
const open = new Set<Tracking>();
let exitHooked = false;
function hookExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  process.on('exit', () => {
    for (const t of open) t.end('failed', 'the process exited before fit ended');
  });
}

/**
 * Records a `fit` as a run of a tracking store: its parameters (model config, compile and fit
 * settings, git commit, user parameters), every batch's and epoch's logs, step time and memory,
 * weight histograms per epoch and the model summary. Rows are buffered and written in one
 * transaction per `flushSeconds` and at every epoch end, so recording costs little.
 * `model.fit(x, y, { callbacks: [new tracking.Tracking({ dir: 'runs', tags: ['baseline'] })] })`
 */
export class Tracking extends Callback {
  readonly args: TrackingArgs;
  runId: string | null = null;
  private store: TrackingStore | null = null;
  private buffer: MetricRow[] = [];
  private step = 0;
  private epoch = 0;
  private lastFlush = 0;
  private lastBatchEnd = 0;
  private ownsStore = false;
  private ended = false;
  /** The size and mtime of each checkpoint file when it was last copied. */
  private copied = new Map<string, string>();

  constructor(args: TrackingArgs = {}) {
    super();
    if (!args.dir && !args.store) throw new TypeError('Tracking: give dir (a folder) or store');
    this.args = args;
  }

  /** The store the run is written to (open after onTrainBegin). */
  get trackingStore(): TrackingStore | null {
    return this.store;
  }

  /** Opens the store and creates the run with the model's parameters, summary and graph. */
  override onTrainBegin(): void {
    this.store = this.args.store ?? TrackingStore.open(this.args.dir!);
    this.ownsStore = !this.args.store;
    const model = this.model as unknown as Model;
    const { params, summary } = modelParams(model);
    this.runId = this.store.createRun({
      name: this.args.name ?? model.name,
      tags: this.args.tags,
      params: {
        ...params,
        fit: { epochs: this.params.epochs, steps: this.params.steps },
        gitCommit: gitCommit(),
        ...this.args.params,
      },
    });
    this.store.putArtifact(this.runId, 'summary', 'text', summary);
    this.store.putArtifact(this.runId, 'graph', 'json', JSON.stringify(modelGraph(model)));
    this.copied.clear();
    this.step = 0;
    this.buffer = [];
    this.ended = false;
    this.lastFlush = performance.now();
    this.lastBatchEnd = performance.now();
    open.add(this);
    hookExit();
  }

  /** Notes the epoch and starts its batch timer. */
  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
    this.lastBatchEnd = performance.now();
  }

  /**
   * Buffers the batch's logs and its step time (flushed to the store about every `flushSeconds`).
   */
  override onTrainBatchEnd(_batch: number, logs: Logs): void {
    const now = performance.now();
    const wall = Date.now() / 1000;
    const step = this.step++;
    for (const key in logs) {
      this.buffer.push({ key, scope: 'batch', step, epoch: this.epoch, wall, value: logs[key]! });
    }
    this.buffer.push({
      key: 'step_time_ms',
      scope: 'system',
      step,
      epoch: this.epoch,
      wall,
      value: now - this.lastBatchEnd,
    });
    this.lastBatchEnd = now;
    if (now - this.lastFlush >= (this.args.flushSeconds ?? 1) * 1000) this.flush();
  }

  /**
   * Records the epoch's logs, memory, weight histograms and summary; copies changed checkpoints.
   */
  override onEpochEnd(epoch: number, logs: Logs): void {
    const wall = Date.now() / 1000;
    for (const key in logs) {
      this.buffer.push({ key, scope: 'epoch', step: epoch, epoch, wall, value: logs[key]! });
    }
    this.buffer.push({
      key: 'rss_mb',
      scope: 'system',
      step: this.step,
      epoch,
      wall,
      value: process.memoryUsage.rss() / 2 ** 20,
    });
    this.flush();
    if (this.args.histograms !== false && this.store && this.runId) {
      const model = this.model as unknown as Model;
      this.store.putHistograms(
        this.runId,
        model.trainableWeights.map((w) => histogram(w.name, epoch, w.data as Float32Array)),
      );
    }
    if (this.store && this.runId)
      this.store.updateSummary(this.runId, { ...logs, epochs: epoch + 1 });
    this.copyCheckpoints();
  }

  /** Copies the checkpoint files that changed since their last copy. */
  private copyCheckpoints(): void {
    if (!this.store || !this.runId) return;
    for (const path of this.args.checkpoints ?? []) {
      if (!existsSync(path)) continue;
      const stat = statSync(path);
      const stamp = `${stat.size}:${stat.mtimeMs}`;
      if (this.copied.get(path) === stamp) continue;
      this.store.putFileArtifact(this.runId, `checkpoints/${basename(path)}`, path);
      this.copied.set(path, stamp);
    }
  }

  /**
   * Records a file (the saved model, a plot, a report) as an artifact of the run, copied into the
   * tracking folder: `tracking.logArtifact('model.keel', 'model/model.keel')`.
   */
  logArtifact(path: string, name = basename(path)): void {
    if (!this.store || !this.runId) {
      throw new Error(`Tracking.logArtifact(${path}): the run has not started (call it after fit)`);
    }
    this.store.putFileArtifact(this.runId, name, path);
  }

  /** Marks the run finished and flushes what is buffered. */
  override onTrainEnd(): void {
    this.end('finished');
  }

  /** Writes the buffered rows now (one transaction). */
  flush(): void {
    this.lastFlush = performance.now();
    if (!this.store || !this.runId || this.buffer.length === 0) return;
    const rows = this.buffer;
    this.buffer = [];
    try {
      this.store.appendMetrics(this.runId, rows);
    } catch (e) {
      // Locked: keep the rows for the next flush rather than lose them.
      this.buffer = rows.concat(this.buffer);
      throw e;
    }
  }

  /** Ends the run with a status (fit's end calls it; the CLI calls it on failure or Ctrl-C). */
  end(status: Exclude<RunStatus, 'running'>, error?: string): void {
    if (this.ended || !this.store || !this.runId) return;
    this.ended = true;
    open.delete(this);
    try {
      this.flush();
      this.copyCheckpoints();
    } finally {
      this.store.endRun(this.runId, status, error);
      // A store opened from `dir` is closed with the run; pass `store` to add to it afterwards.
      if (this.ownsStore) this.store.close();
    }
  }

  /** Records test scores into the run's summary and, for classifiers, the confusion matrix. */
  async recordEvaluation(
    x: Tensor,
    y: Tensor,
    options: { classNames?: readonly string[]; scores?: Record<string, number> } = {},
  ): Promise<Evaluation | null> {
    if (!this.store || !this.runId) return null;
    if (options.scores) this.store.updateSummary(this.runId, options.scores);
    if (!options.classNames) return null;
    const evaluation = await evaluateClassifier(this.model as unknown as Model, x, y, {
      classNames: options.classNames,
    });
    this.store.putArtifact(this.runId, 'evaluation', 'json', JSON.stringify(evaluation));
    return evaluation;
  }
}
