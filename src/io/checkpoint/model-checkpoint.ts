import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Model } from '../../models/model.js';
import { writesFiles } from '../../models/strategy.js';
import {
  Callback,
  type CallbackState,
  countOf,
  finiteOr,
  type Logs,
} from '../../nn/callbacks/callback.js';
import { autoDirection, checkMode, type MonitorMode } from '../../nn/callbacks/monitor.js';
import { saveModel } from '../keel-format/model-file.js';
import { saveWeights } from '../keel-format/weights-file.js';
import { saveKerasModel } from '../keras/keras-file.js';
import { formatCheckpointPath } from './format-path.js';

/** Options of `ModelCheckpoint`. */
export interface ModelCheckpointArgs {
  /** The logged value compared by saveBestOnly (default 'val_loss'). */
  monitor?: string;
  /** 1 prints a line per save. */
  verbose?: number;
  /** Save only when `monitor` improves. */
  saveBestOnly?: boolean;
  /** Save only the weights (safetensors) rather than the whole model file. */
  saveWeightsOnly?: boolean;
  mode?: MonitorMode;
  /** 'epoch', or save every this many batches. */
  saveFreq?: 'epoch' | number;
  /** Saving the best starts once `monitor` beats this value. */
  initialValueThreshold?: number;
}

/**
 * Keras's ModelCheckpoint: saves the model (or its weights) at each epoch end or every `saveFreq`
 * batches, to `filepath` with `{epoch}`-style fields filled in (epochs counted from 1). Every file
 * is written atomically; a `.keras` path writes Keras 3's format (without the optimizer).
 * `new ModelCheckpoint('ckpt/model-{epoch:02d}.keel', {saveBestOnly: true})`
 */
export class ModelCheckpoint extends Callback {
  readonly filepath: string;
  readonly monitor: string;
  readonly verbose: number;
  readonly saveBestOnly: boolean;
  readonly saveWeightsOnly: boolean;
  readonly saveFreq: 'epoch' | number;
  /** The best monitored value so far. */
  best: number;
  private readonly better: (a: number, b: number) => boolean;
  private readonly initialBest: number;
  private batchesSinceSave = 0;
  private epoch = 0;

  constructor(filepath: string, args: ModelCheckpointArgs = {}) {
    super();
    if (typeof filepath !== 'string' || filepath === '') {
      throw new TypeError(
        `ModelCheckpoint: filepath must be a non-empty string, got ${String(filepath)}`,
      );
    }
    this.filepath = filepath;
    this.monitor = args.monitor ?? 'val_loss';
    this.verbose = args.verbose ?? 0;
    this.saveBestOnly = args.saveBestOnly ?? false;
    this.saveWeightsOnly = args.saveWeightsOnly ?? false;
    this.saveFreq = args.saveFreq ?? 'epoch';
    if (this.saveFreq !== 'epoch' && !(Number.isInteger(this.saveFreq) && this.saveFreq > 0)) {
      throw new RangeError(
        `ModelCheckpoint: saveFreq must be 'epoch' or an integer > 0, got ${this.saveFreq}`,
      );
    }
    const mode = checkMode('ModelCheckpoint', args.mode ?? 'auto');
    const direction = mode === 'auto' ? (autoDirection(this.monitor) ?? 'min') : mode;
    this.better = direction === 'min' ? (a, b) => a < b : (a, b) => a > b;
    this.best = args.initialValueThreshold ?? (direction === 'min' ? Infinity : -Infinity);
    this.initialBest = this.best;
  }

  override getState(): CallbackState {
    const best = Number.isFinite(this.best) ? this.best : null;
    return { values: { best, batchesSinceSave: this.batchesSinceSave } };
  }

  override setState(state: CallbackState): void {
    const v = state.values;
    this.best = finiteOr(v['best'], this.initialBest, 'ModelCheckpoint', 'best');
    this.batchesSinceSave = countOf(v['batchesSinceSave'], 'ModelCheckpoint', 'batchesSinceSave');
  }

  /** Notes the epoch (for batch-frequency saves). */
  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }

  /** Saves every `saveFreq` batches (when it is a number). */
  override onTrainBatchEnd(batch: number, logs: Logs): void | Promise<void> {
    if (this.saveFreq === 'epoch') return;
    if (++this.batchesSinceSave >= this.saveFreq) {
      this.batchesSinceSave = 0;
      return this.save({ ...logs, epoch: this.epoch + 1, batch: batch + 1 });
    }
  }

  /**
   * Saves at the end of the epoch (`saveFreq: 'epoch'`), only on improvement with `saveBestOnly`.
   */
  override onEpochEnd(epoch: number, logs: Logs): void | Promise<void> {
    if (this.saveFreq === 'epoch') return this.save({ ...logs, epoch: epoch + 1 });
  }

  /** Writes the file; a `.keras` path is Keras 3's format, written asynchronously. */
  private save(values: Record<string, number>): void | Promise<void> {
    const model = this.model as unknown as Model | null;
    if (!model)
      throw new Error("ModelCheckpoint: not attached to a model; pass it in fit's callbacks");
    if (this.saveBestOnly) {
      const current = values[this.monitor];
      if (current === undefined) {
        console.warn(
          `ModelCheckpoint: '${this.monitor}' is not in the logs (${Object.keys(values).join(', ')}); skipping`,
        );
        return;
      }
      if (!this.better(current, this.best)) return;
      this.best = current;
    }
    if (!writesFiles(model)) return; // a distributed run's chief writes for every replica
    const path = formatCheckpointPath(this.filepath, values);
    mkdirSync(dirname(path), { recursive: true });
    const done = () => {
      if (this.verbose > 0) console.log(`ModelCheckpoint: saved ${path}`);
    };
    if (!this.saveWeightsOnly && /\.keras$/i.test(path))
      return saveKerasModel(model, path).then(done);
    if (this.saveWeightsOnly) saveWeights(model, path);
    else saveModel(model, path, { includeOptimizer: true });
    done();
  }
}
