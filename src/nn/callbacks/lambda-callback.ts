import { Callback, type Logs } from './callback.js';

type EpochHook = (epoch: number, logs: Logs) => void | Promise<void>;
type BatchHook = (batch: number, logs: Logs) => void | Promise<void>;
type TrainHook = (logs: Logs) => void | Promise<void>;

/** The hooks of a `LambdaCallback`; each is optional. */
export interface LambdaCallbackArgs {
  onEpochBegin?: EpochHook;
  onEpochEnd?: EpochHook;
  onTrainBegin?: TrainHook;
  onTrainEnd?: TrainHook;
  onTrainBatchBegin?: BatchHook;
  onTrainBatchEnd?: BatchHook;
  /** Keras's older name of onTrainBatchBegin (give one or the other). */
  onBatchBegin?: BatchHook;
  /** Keras's older name of onTrainBatchEnd (give one or the other). */
  onBatchEnd?: BatchHook;
}

/**
 * A callback made of functions (Keras's LambdaCallback), called with the same arguments as the
 * `Callback` hooks of the same names; they may be async.
 * `new LambdaCallback({onEpochEnd: (epoch, logs) => console.log(epoch, logs['loss'])})`
 */
export class LambdaCallback extends Callback {
  private readonly hooks: LambdaCallbackArgs;

  constructor(args: LambdaCallbackArgs = {}) {
    super();
    for (const [old, name] of [
      ['onBatchBegin', 'onTrainBatchBegin'],
      ['onBatchEnd', 'onTrainBatchEnd'],
    ] as const) {
      if (args[old] && args[name])
        throw new Error(`LambdaCallback: give ${name} or its older name ${old}, not both`);
    }
    for (const [k, v] of Object.entries(args))
      if (v !== undefined && typeof v !== 'function')
        throw new TypeError(`LambdaCallback: ${k} must be a function, got ${typeof v}`);
    this.hooks = {
      ...args,
      onTrainBatchBegin: args.onTrainBatchBegin ?? args.onBatchBegin,
      onTrainBatchEnd: args.onTrainBatchEnd ?? args.onBatchEnd,
    };
  }

  override onEpochBegin(epoch: number, logs: Logs): void | Promise<void> {
    return this.hooks.onEpochBegin?.(epoch, logs);
  }

  override onEpochEnd(epoch: number, logs: Logs): void | Promise<void> {
    return this.hooks.onEpochEnd?.(epoch, logs);
  }

  override onTrainBegin(logs: Logs): void | Promise<void> {
    return this.hooks.onTrainBegin?.(logs);
  }

  override onTrainEnd(logs: Logs): void | Promise<void> {
    return this.hooks.onTrainEnd?.(logs);
  }

  override onTrainBatchBegin(batch: number, logs: Logs): void | Promise<void> {
    return this.hooks.onTrainBatchBegin?.(batch, logs);
  }

  override onTrainBatchEnd(batch: number, logs: Logs): void | Promise<void> {
    return this.hooks.onTrainBatchEnd?.(batch, logs);
  }
}
