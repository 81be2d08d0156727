import { Callback, type CallbackState, countOf, finiteOr, type Logs } from './callback.js';
import { autoDirection, checkMode, type MonitorMode, optimizerOf } from './monitor.js';

export interface ReduceLROnPlateauArgs {
  monitor?: string;
  /** The learning rate is multiplied by this (< 1) on a plateau. */
  factor?: number;
  /** Epochs without improvement before the rate is reduced. */
  patience?: number;
  verbose?: number;
  /** 'min', 'max', or 'auto' ('max' for accuracies, 'min' otherwise). */
  mode?: MonitorMode;
  /** The smallest change that counts as improvement. */
  minDelta?: number;
  /** Epochs to wait after a reduction before counting again. */
  cooldown?: number;
  /** The rate is never reduced below this. */
  minLr?: number;
}

/**
 * Multiplies the learning rate by `factor` when a monitored value stops improving for `patience`
 * epochs (Keras's ReduceLROnPlateau); logs the rate as 'learning_rate'.
 * `new ReduceLROnPlateau({monitor: 'val_loss', factor: 0.2, patience: 5, minLr: 1e-5})`
 */
export class ReduceLROnPlateau extends Callback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly verbose: number;
  readonly mode: MonitorMode;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  wait = 0;
  cooldownCounter = 0;
  best = Number.POSITIVE_INFINITY;
  private direction: 'min' | 'max' = 'min';
  private warned = false;

  constructor(args: ReduceLROnPlateauArgs = {}) {
    super();
    this.monitor = args.monitor ?? 'val_loss';
    this.factor = args.factor ?? 0.1;
    this.patience = args.patience ?? 10;
    this.verbose = args.verbose ?? 0;
    this.mode = checkMode('ReduceLROnPlateau', args.mode ?? 'auto');
    this.minDelta = args.minDelta ?? 1e-4;
    this.cooldown = args.cooldown ?? 0;
    this.minLr = args.minLr ?? 0;
    if (!(this.factor < 1))
      throw new RangeError(`ReduceLROnPlateau: factor must be < 1, got ${this.factor}`);
    this.reset();
  }

  private reset(): void {
    this.direction =
      this.mode === 'auto' ? (autoDirection(this.monitor) === 'max' ? 'max' : 'min') : this.mode;
    this.best = this.direction === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.cooldownCounter = 0;
    this.wait = 0;
  }

  override onTrainBegin(_logs: Logs): void {
    this.reset();
  }

  /** The changed rate itself is the optimizer's, saved with it. */
  override getState(): CallbackState {
    const best = Number.isFinite(this.best) ? this.best : null;
    return { values: { wait: this.wait, cooldownCounter: this.cooldownCounter, best } };
  }

  override setState(state: CallbackState): void {
    const v = state.values;
    const none = this.direction === 'min' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
    this.wait = countOf(v['wait'], 'ReduceLROnPlateau', 'wait');
    this.cooldownCounter = countOf(v['cooldownCounter'], 'ReduceLROnPlateau', 'cooldownCounter');
    this.best = finiteOr(v['best'], none, 'ReduceLROnPlateau', 'best');
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const optimizer = optimizerOf('ReduceLROnPlateau', this.model);
    logs['learning_rate'] = optimizer.learningRate;
    const current = logs[this.monitor];
    if (current === undefined) {
      if (!this.warned) {
        console.warn(
          `ReduceLROnPlateau: monitoring '${this.monitor}', which is not in the logs; available: ${Object.keys(logs).join(', ')}`,
        );
        this.warned = true;
      }
      return;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.wait = 0;
    }
    const improved =
      this.direction === 'min'
        ? current < this.best - this.minDelta
        : current > this.best + this.minDelta;
    if (improved) {
      this.best = current;
      this.wait = 0;
      return;
    }
    if (this.cooldownCounter > 0) return;
    this.wait++;
    if (this.wait < this.patience) return;
    const oldLr = optimizer.learningRate;
    if (oldLr > Math.fround(this.minLr)) {
      const newLr = Math.max(oldLr * this.factor, this.minLr);
      optimizer.learningRate = newLr;
      if (this.verbose > 0)
        console.log(`\nEpoch ${epoch + 1}: ReduceLROnPlateau reducing learning rate to ${newLr}.`);
      this.cooldownCounter = this.cooldown;
      this.wait = 0;
    }
  }
}
