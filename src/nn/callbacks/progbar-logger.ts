import { type OutputStream, Progbar } from '../../utils/progbar.js';
import { Callback, type Logs } from './callback.js';

/** Options of `ProgbarLogger`. */
export interface ProgbarLoggerArgs {
  /** Where to write (default process.stdout). */
  stream?: OutputStream;
  /** Redraw in place (default: stream.isTTY). */
  dynamic?: boolean;
  /** ANSI colours (default: on a terminal unless NO_COLOR is set). */
  color?: boolean;
  /** The clock in milliseconds, for tests. */
  now?: () => number;
}

/**
 * Prints Keras's progress: `Epoch 1/10`, then a bar redrawn in place on a terminal
 * (`120/251 ━━━━━━━━━━━━━━━━━━━━ 3s 12ms/step - accuracy: 0.9100 - loss: 0.3100`), or one line
 * per epoch off a terminal or with verbose 2. `fit` adds one when verbose > 0.
 */
export class ProgbarLogger extends Callback {
  private progbar: Progbar | null = null;
  private inFit = false;
  private testSteps = 0;

  constructor(private readonly options: ProgbarLoggerArgs = {}) {
    super();
  }

  private newBar(target: number | null): Progbar {
    return new Progbar({
      target,
      verbose: this.params.verbose,
      stream: this.options.stream,
      dynamic: this.params.verbose === 1 ? this.options.dynamic : false,
      color: this.options.color,
      now: this.options.now,
    });
  }

  private write(text: string): void {
    (this.options.stream ?? process.stdout).write(text);
  }

  /** Marks that evaluations now belong to `fit` (validation). */
  override onTrainBegin(_logs: Logs): void {
    this.inFit = true;
  }

  /** Marks the end of `fit`. */
  override onTrainEnd(_logs: Logs): void {
    this.inFit = false;
  }

  /** Prints `Epoch n/N` and starts the epoch's progress bar. */
  override onEpochBegin(epoch: number, _logs: Logs): void {
    if (this.params.verbose <= 0) return;
    this.write(`Epoch ${epoch + 1}/${this.params.epochs}\n`);
    this.progbar = this.newBar(this.params.steps);
  }

  /** Advances the progress bar with the running loss and metrics. */
  override onTrainBatchEnd(batch: number, logs: Logs): void {
    this.progbar?.update(batch + 1, logs, false);
  }

  /** Completes the epoch's progress bar with the epoch's logs. */
  override onEpochEnd(_epoch: number, logs: Logs): void {
    this.progbar?.update(this.params.steps, logs, true);
    this.progbar = null;
  }

  /** Evaluation outside fit gets its own bar; fit's validation pass stays silent. */
  override onTestBegin(_logs: Logs): void {
    if (this.inFit || this.params.verbose <= 0) return;
    this.testSteps = this.params.steps;
    this.progbar = this.newBar(this.testSteps);
  }

  /** Advances the progress bar of a standalone `evaluate`. */
  override onTestBatchEnd(batch: number, logs: Logs): void {
    if (!this.inFit) this.progbar?.update(batch + 1, logs, false);
  }

  /** Completes the progress bar of a standalone `evaluate`. */
  override onTestEnd(logs: Logs): void {
    if (this.inFit) return;
    this.progbar?.update(this.testSteps, logs, true);
    this.progbar = null;
  }
}
