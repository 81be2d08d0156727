import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { type MetricStates, metricStates } from '../../models/compile.js';
import { fitCallbackStates, fitPosition, resumeFitAt } from '../../models/fit.js';
import type { Model } from '../../models/model.js';
import { writesFiles } from '../../models/strategy.js';
import { Callback, type CallbackState, type Logs } from '../../nn/callbacks/callback.js';
import { Tensor } from '../../tensor/tensor.js';
import { isJsonObject } from '../../utils/json-guard.js';
import { encodeModel, parseMeta, setWeightsFrom } from '../keel-format/model-file.js';
import { checkOptimizerRecord, restoreOptimizer } from '../keel-format/optimizer-state.js';
import {
  captureRandomState,
  checkRandomState,
  type RandomState,
} from '../keel-format/random-state.js';
import { readSafetensors } from '../safetensors-read.js';
import { saveSafetensors } from '../safetensors-writer.js';

/** Options of `BackupAndRestore`. */
export interface BackupAndRestoreArgs {
  /** 'epoch', or back up every this many batches. */
  saveFreq?: 'epoch' | number;
  /** Delete the backup when training ends normally (default true). */
  deleteCheckpoint?: boolean;
}

/** What a backup records besides weights and optimizer: where fit was and the random state. */
interface TrainingState extends RandomState {
  epoch: number;
  step: number;
  hasOrder: boolean;
  /** Each stateful callback's JSON values and its number of tensors (absent in older files). */
  callbacks?: Record<string, { values: Record<string, unknown>; tensors: number }>;
  /** A callback (EarlyStopping) had ended training at this epoch end. */
  stopTraining?: boolean;
  /** Mid-epoch: the running losses and metrics of the epoch so far. */
  metrics?: MetricStates;
}

/**
 * Whether the model's architecture serializes. A Distiller's does not (it is saved as its
 * student), so its backups hold weights and training state only: enough to resume the same fit.
 */
function savesWhole(model: Model): boolean {
  try {
    model.getConfig();
    return true;
  } catch {
    return false;
  }
}

const callbackKey = (key: string, i: number) => `fit/callback/${key}/${i}`;

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
  override readonly runsLast = true;
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

  /** Restores the weights, optimizer and position from the backup when one exists. */
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
    const applyRandomState = checkRandomState(model, training, source);
    const callbackStates = new Map<string, CallbackState>();
    for (const [key, saved] of Object.entries(training.callbacks ?? {})) {
      const list = Array.from({ length: saved.tensors }, (_, i) => {
        const t = tensors.get(callbackKey(key, i));
        if (!t) throw new Error(`${source}: callback tensor '${callbackKey(key, i)}' is missing`);
        return t;
      });
      callbackStates.set(key, { values: saved.values, tensors: list });
    }
    setWeightsFrom(model, keys, tensors, source);
    restoreOptimizer(model, model.compiled!.optimizer, record, tensors, source);
    applyRandomState();
    if (training.stopTraining) model.stopTraining = true;
    resumeFitAt(model, {
      epoch: training.epoch,
      step: training.step,
      order: order ? (order.data as Int32Array) : null,
      callbackStates,
      ...(training.metrics ? { metrics: training.metrics } : {}),
    });
  }

  /** Backs up every `saveFreq` batches (when it is a number). */
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

  /** Backs up at the end of each epoch. */
  override onEpochEnd(epoch: number): void {
    this.batchesSinceSave = 0;
    this.backup({ epoch: epoch + 1, step: 0 }, null);
  }

  /** Deletes the backup after a completed run (`deleteCheckpoint`). */
  override onTrainEnd(): void {
    if (this.deleteCheckpoint && writesFiles(this.attached)) rmSync(this.path, { force: true });
  }

  private backup(at: { epoch: number; step: number }, order: Int32Array | null): void {
    const model = this.attached;
    // The chief writes; the other replicas restore through it (fit's strategy.begin broadcasts).
    if (!writesFiles(model)) return;
    mkdirSync(this.backupDir, { recursive: true });
    const { entries, metadata } = encodeModel(
      model,
      { includeOptimizer: true, inputShapes: [] },
      { architecture: savesWhole(model) },
    );
    const callbacks: NonNullable<TrainingState['callbacks']> = {};
    for (const [key, cs] of fitCallbackStates(model)) {
      const list = cs.tensors ?? [];
      callbacks[key] = { values: cs.values, tensors: list.length };
      for (const [i, t] of list.entries()) entries.push([callbackKey(key, i), t]);
    }
    const state: TrainingState = {
      ...at,
      ...captureRandomState(model),
      hasOrder: order !== null,
      callbacks,
      stopTraining: model.stopTraining,
      ...(at.step > 0 ? { metrics: metricStates(model.compiled!) } : {}),
    };
    metadata['training_state'] = JSON.stringify(state);
    if (order) entries.push([ORDER_KEY, new Tensor(order, [order.length], 'int32')]);
    saveSafetensors(this.path, entries, metadata);
  }
}
