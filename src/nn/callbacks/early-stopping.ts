import type { Tensor } from '../../tensor/tensor.js';
import { Callback, type CallbackState, countOf, finiteOr, type Logs } from './callback.js';
import { attachedModel, autoDirection, checkMode, type MonitorMode } from './monitor.js';

export interface EarlyStoppingArgs {
  /** The logged value to watch. */
  monitor?: string;
  /** Smaller changes than this do not count as improvement. */
  minDelta?: number;
  /** Epochs without improvement after which training stops. */
  patience?: number;
  verbose?: number;
  /** 'min', 'max', or 'auto' (from the name: losses and errors fall, accuracies rise). */
  mode?: MonitorMode;
  /** Training also stops unless the value beats this within `patience` epochs. */
  baseline?: number;
  /** At the end of training, restore the weights of the best epoch. */
  restoreBestWeights?: boolean;
  /** Epochs to wait before watching starts (a warm-up). */
  startFromEpoch?: number;
}

/**
 * Stops training when a monitored value has stopped improving (Keras's EarlyStopping).
 * `new EarlyStopping({monitor: 'val_loss', patience: 3, restoreBestWeights: true})`
 */
export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly verbose: number;
  readonly mode: MonitorMode;
  readonly baseline: number | undefined;
  readonly restoreBestWeights: boolean;
  readonly startFromEpoch: number;
  /** Epochs since the last improvement. */
  wait = 0;
  /** The epoch training was stopped at (0 when it was not stopped). */
  stoppedEpoch = 0;
  best: number | null = null;
  bestEpoch = 0;
  private bestWeights: Tensor[] | null = null;
  private direction: 'min' | 'max' | null = null;
  private warned = false;

  constructor(args: EarlyStoppingArgs = {}) {
    super();
    this.monitor = args.monitor ?? 'val_loss';
    this.minDelta = Math.abs(args.minDelta ?? 0);
    this.patience = args.patience ?? 0;
    this.verbose = args.verbose ?? 0;
    this.mode = checkMode('EarlyStopping', args.mode ?? 'auto');
    this.baseline = args.baseline;
    this.restoreBestWeights = args.restoreBestWeights ?? false;
    this.startFromEpoch = args.startFromEpoch ?? 0;
    if (!(this.patience >= 0))
      throw new RangeError(`EarlyStopping: patience must be >= 0, got ${this.patience}`);
  }

  override onTrainBegin(_logs: Logs): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = null;
    this.bestWeights = null;
    this.bestEpoch = 0;
  }

  override getState(): CallbackState {
    return {
      values: {
        wait: this.wait,
        stoppedEpoch: this.stoppedEpoch,
        best: this.best,
        bestEpoch: this.bestEpoch,
      },
      ...(this.bestWeights ? { tensors: copies(this.bestWeights) } : {}),
    };
  }

  override setState(state: CallbackState): void {
    const v = state.values;
    this.wait = countOf(v['wait'], 'EarlyStopping', 'wait');
    this.stoppedEpoch = countOf(v['stoppedEpoch'], 'EarlyStopping', 'stoppedEpoch');
    this.bestEpoch = countOf(v['bestEpoch'], 'EarlyStopping', 'bestEpoch');
    this.best = v['best'] === null ? null : finiteOr(v['best'], 0, 'EarlyStopping', 'best');
    this.bestWeights = state.tensors && state.tensors.length > 0 ? copies(state.tensors) : null;
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const model = attachedModel('EarlyStopping', this.model);
    this.direction ??= this.resolveDirection();
    const current = logs[this.monitor];
    if (current === undefined) {
      if (!this.warned) {
        console.warn(
          `EarlyStopping: monitoring '${this.monitor}', which is not in the logs; available: ${Object.keys(logs).join(', ')}`,
        );
        this.warned = true;
      }
      return;
    }
    if (epoch < this.startFromEpoch) return;
    if (this.restoreBestWeights && this.bestWeights === null) {
      // Until something is better, the current weights are the best.
      this.bestWeights = copies(model.getWeights());
      this.bestEpoch = epoch;
    }
    this.wait++;
    if (this.isImprovement(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = copies(model.getWeights());
      // Only restart the wait when the value beats both the baseline and the previous best.
      if (this.baseline === undefined || this.isImprovement(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      model.stopTraining = true;
    }
  }

  override onTrainEnd(_logs: Logs): void {
    if (this.stoppedEpoch > 0 && this.verbose > 0)
      console.log(`Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights !== null) {
      if (this.verbose > 0)
        console.log(
          `Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`,
        );
      attachedModel('EarlyStopping', this.model).setWeights(this.bestWeights);
    }
  }

  private resolveDirection(): 'min' | 'max' {
    if (this.mode !== 'auto') return this.mode;
    const d = autoDirection(this.monitor);
    if (d === null) {
      throw new Error(
        `EarlyStopping: cannot tell whether '${this.monitor}' should be minimised or maximised; pass mode: 'min' or mode: 'max'`,
      );
    }
    return d;
  }

  private isImprovement(value: number, reference: number | null): boolean {
    if (reference === null) return true;
    return this.direction === 'max'
      ? value - this.minDelta > reference
      : value + this.minDelta < reference;
  }
}

function copies(weights: readonly Tensor[]): Tensor[] {
  return weights.map((w) => w.clone());
}
