import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fitPosition, resumeFitAt } from '../../models/fit.js';
import type { Model } from '../../models/model.js';
import { writesFiles } from '../../models/strategy.js';
import { Callback, type Logs } from '../../nn/callbacks/callback.js';
import { getRng, type RngState } from '../../random/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { isJsonObject } from '../json-guard.js';
import { encodeModel, parseMeta, setWeightsFrom } from '../keel-format/model-file.js';
import { checkOptimizerRecord, restoreOptimizer } from '../keel-format/optimizer-state.js';
import { readSafetensors } from '../safetensors-read.js';
import { saveSafetensors } from '../safetensors-writer.js';

export interface BackupAndRestoreArgs {
  /** 'epoch', or back up every this many batches. */
  saveFreq?: 'epoch' | number;
  /** Delete the backup when training ends normally (default true). */
  deleteCheckpoint?: boolean;
}

/** What a backup records besides weights and optimizer: where fit was and the RNG state. */
interface TrainingState {
  epoch: number;
  step: number;
  rng: RngState;
  hasOrder: boolean;
}

const ORDER_KEY = 'fit/order';

/**
 * Keras's BackupAndRestore: keeps one backup file in `backupDir` (weights, optimizer slots and
 * iterations, the epoch and batch, the global RNG state and the epoch's sample order), written
 * atomically at each epoch end or every `saveFreq` batches. When `fit` starts and a backup exists,
 * it is restored and training continues where it stopped, ending with the same weights as a run
 * that was never interrupted. `new BackupAndRestore('/tmp/backup', {saveFreq: 10})`
 */
export class BackupAndRestore extends Callback {
  readonly backupDir: string;
  readonly saveFreq: 'epoch' | number;
  readonly deleteCheckpoint: boolean;
  private batchesSinceSave = 0;

  constructor(backupDir: string, args: BackupAndRestoreArgs = {}) {
    super();
    if (typeof backupDir !== 'string' || backupDir === '') {
      throw new TypeError(
        `BackupAndRestore: backupDir must be a non-empty string, got ${String(backupDir)}`,
      );
    }
    this.backupDir = backupDir;
    this.saveFreq = args.saveFreq ?? 'epoch';
    if (this.saveFreq !== 'epoch' && !(Number.isInteger(this.saveFreq) && this.saveFreq > 0)) {
      throw new RangeError(
        `BackupAndRestore: saveFreq must be 'epoch' or an integer > 0, got ${this.saveFreq}`,
      );
    }
    this.deleteCheckpoint = args.deleteCheckpoint ?? true;
  }

  /** The backup file's path. */
  get path(): string {
    return join(this.backupDir, 'backup.keel');
  }

  private get attached(): Model {
    if (!this.model)
      throw new Error("BackupAndRestore: not attached to a model; pass it in fit's callbacks");
    const model = this.model as unknown as Model;
    if (!model.compiled)
      throw new Error('BackupAndRestore: the model has no optimizer; compile it before fit');
    return model;
  }

  override onTrainBegin(): void {
    this.batchesSinceSave = 0;
    if (!existsSync(this.path)) return;
    const model = this.attached;
    const source = this.path;
    const { metadata, tensors } = readSafetensors(source);
    const keys = parseMeta(metadata, 'weights', source);
    if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
      throw new Error(`${source}: metadata 'weights' must be a list of tensor names`);
    }
    const state = parseMeta(metadata, 'training_state', source);
    if (
      !isJsonObject(state) ||
      !Number.isSafeInteger(state['epoch']) ||
      !Number.isSafeInteger(state['step']) ||
      !isJsonObject(state['rng'])
    ) {
      throw new Error(`${source}: metadata 'training_state' must be {epoch, step, rng, hasOrder}`);
    }
    const training = state as unknown as TrainingState;
    const record = checkOptimizerRecord(parseMeta(metadata, 'optimizer', source), source);
    const order = training.hasOrder ? tensors.get(ORDER_KEY) : undefined;
    if (training.hasOrder && (order?.dtype !== 'int32' || order.rank !== 1)) {
      throw new Error(
        `${source}: the sample order '${ORDER_KEY}' is missing or not an int32 vector`,
      );
    }
    setWeightsFrom(model, keys, tensors, source);
    restoreOptimizer(model, model.compiled!.optimizer, record, tensors, source);
    getRng().setState(training.rng);
    resumeFitAt(model, {
      epoch: training.epoch,
      step: training.step,
      order: order ? (order.data as Int32Array) : null,
    });
  }

  override onTrainBatchEnd(batch: number, _logs: Logs): void {
    if (this.saveFreq === 'epoch') return;
    if (++this.batchesSinceSave < this.saveFreq) return;
    this.batchesSinceSave = 0;
    const position = fitPosition(this.attached);
    if (!position) return;
    this.backup({ epoch: position.epoch, step: batch + 1 }, position.order);
  }

  /**
   * Writes a backup now, as if after batch `batch` of the running epoch (an interrupted run,
   * Ctrl-C, saves its place this way and resumes at the next batch).
   */
  backupAfterBatch(batch: number): void {
    const position = fitPosition(this.attached);
    if (!position) throw new Error('BackupAndRestore.backupAfterBatch: no fit is running');
    this.backup({ epoch: position.epoch, step: batch + 1 }, position.order);
  }

  override onEpochEnd(epoch: number): void {
    this.batchesSinceSave = 0;
    this.backup({ epoch: epoch + 1, step: 0 }, null);
  }

  override onTrainEnd(): void {
    if (this.deleteCheckpoint && writesFiles(this.attached)) rmSync(this.path, { force: true });
  }

  private backup(at: { epoch: number; step: number }, order: Int32Array | null): void {
    const model = this.attached;
    // The chief writes; the other replicas restore through it (fit's strategy.begin broadcasts).
    if (!writesFiles(model)) return;
    mkdirSync(this.backupDir, { recursive: true });
    const { entries, metadata } = encodeModel(model, { includeOptimizer: true, inputShapes: [] });
    const state: TrainingState = { ...at, rng: getRng().getState(), hasOrder: order !== null };
    metadata['training_state'] = JSON.stringify(state);
    if (order) entries.push([ORDER_KEY, new Tensor(order, [order.length], 'int32')]);
    saveSafetensors(this.path, entries, metadata);
  }
}
