import type {
  Callback,
  CallbackModel,
  CallbackState,
  Logs,
  TrainingParams,
} from '../nn/callbacks/callback.js';

type Hook = 'onTrainBegin' | 'onTrainEnd' | 'onTestBegin' | 'onTestEnd';
type IndexedHook =
  | 'onEpochBegin'
  | 'onEpochEnd'
  | 'onTrainBatchBegin'
  | 'onTrainBatchEnd'
  | 'onTestBatchBegin'
  | 'onTestBatchEnd';

/** Calls a hook on every callback in order, awaiting each (hooks may be async). */
export class CallbackList {
  readonly callbacks: readonly Callback[];

  /** Keeps the given order, except that callbacks with `runsLast` (BackupAndRestore) go last. */
  constructor(callbacks: readonly Callback[]) {
    this.callbacks = [
      ...callbacks.filter((c) => !c.runsLast),
      ...callbacks.filter((c) => c.runsLast),
    ];
  }

  /**
   * Each stateful callback's state, keyed by its class and its rank among callbacks of that class
   * ('EarlyStopping#0'), so a resumed fit with the same callbacks finds its own.
   */
  states(): Map<string, CallbackState> {
    const out = new Map<string, CallbackState>();
    for (const [key, c] of this.keyed()) {
      const state = c.getState();
      if (state) out.set(key, state);
    }
    return out;
  }

  /** Gives each callback its saved state (a callback with none saved keeps its own). */
  restore(states: ReadonlyMap<string, CallbackState>): void {
    for (const [key, c] of this.keyed()) {
      const state = states.get(key);
      if (state) c.setState(state);
    }
  }

  private keyed(): [string, Callback][] {
    const seen = new Map<string, number>();
    return this.callbacks.map((c) => {
      const name = c.constructor.name;
      const k = seen.get(name) ?? 0;
      seen.set(name, k + 1);
      return [`${name}#${k}`, c];
    });
  }

  configure(model: CallbackModel, params: TrainingParams): void {
    for (const c of this.callbacks) {
      c.setModel(model);
      c.setParams(params);
    }
  }

  async call(hook: Hook, logs: Logs = {}): Promise<void> {
    for (const c of this.callbacks) await c[hook](logs);
  }

  async callAt(hook: IndexedHook, index: number, logs: Logs = {}): Promise<void> {
    for (const c of this.callbacks) await c[hook](index, logs);
  }
}
