import { formatLogValue, type OutputStream, Progbar } from './progbar.js';

/** Options of `TaskProgress`. */
export interface TaskProgressOptions {
  /** What the task is: 'Calibrating activations', 'Tuning'. */
  label: string;
  /** Total number of steps, or null when unknown. */
  target: number | null;
  /** The step's name in the per-step time (default 'step'). */
  unitName?: string;
  /** Where to write (default process.stdout). */
  stream?: OutputStream;
  /** Redraw a bar in place (default: stream.isTTY); otherwise plain periodic lines. */
  dynamic?: boolean;
  /** Off a terminal: minimum seconds between plain lines (default 5; the first and last always print). */
  interval?: number;
  /** ANSI colours on a terminal (default: unless NO_COLOR is set). */
  color?: boolean;
  /** Off a terminal: also print a line whenever `current` advances (tasks of few, long steps). */
  everyStep?: boolean;
  /** The clock in milliseconds (tests inject a fake one). */
  now?: () => number;
}

/**
 * The progress of a long task other than fit, reported the way fit reports it: on a terminal
 * Keras's bar redrawn in place (`Tuning 2/5 ━━━━━━━━──────────── 1:02 31s/trial - best: 0.9100 - trial 2 epoch 1/3`),
 * off a terminal a plain line at most every `interval` seconds (`Tuning 2/5 - best: 0.9100 - trial 2 epoch 1/3`).
 * `log` prints a line without breaking the bar.
 */
export class TaskProgress {
  private readonly bar: Progbar | null;
  private readonly stream: OutputStream;
  private readonly interval: number;
  private readonly now: () => number;
  private lastLine = Number.NEGATIVE_INFINITY;
  private lastCount = Number.NEGATIVE_INFINITY;
  private finished = false;

  constructor(private readonly options: TaskProgressOptions) {
    this.stream = options.stream ?? process.stdout;
    this.interval = options.interval ?? 5;
    this.now = options.now ?? (() => performance.now());
    const dynamic = options.dynamic ?? this.stream.isTTY === true;
    if (dynamic) {
      this.stream.write(`${options.label}\n`);
      this.bar = new Progbar({
        target: options.target,
        unitName: options.unitName,
        stream: this.stream,
        dynamic: true,
        color: options.color,
        now: options.now,
      });
    } else {
      this.bar = null;
    }
  }

  /** Reports `current` finished steps, with values to show and a note on what runs now. */
  update(current: number, values?: Readonly<Record<string, number>>, note?: string): void {
    if (this.finished) return;
    const done = this.options.target !== null && current >= this.options.target;
    if (this.bar) {
      this.bar.update(current, values, done, note);
    } else {
      const t = this.now();
      const advanced = this.options.everyStep === true && current > this.lastCount;
      if (done || advanced || (t - this.lastLine) / 1000 >= this.interval) {
        this.lastLine = t;
        this.lastCount = current;
        this.stream.write(`${this.plainLine(current, values, note)}\n`);
      }
    }
    if (done) this.finished = true;
  }

  /** Ends the bar at `current` steps (a task that stopped early, or had no known target). */
  finish(current: number, values?: Readonly<Record<string, number>>, note?: string): void {
    if (this.finished) return;
    if (this.bar) this.bar.update(current, values, true, note);
    else this.stream.write(`${this.plainLine(current, values, note)}\n`);
    this.finished = true;
  }

  /** Prints a whole line: on a terminal the bar line is cleared first and redrawn on the next update. */
  log(line: string): void {
    this.stream.write(this.bar && !this.finished ? `\r\x1b[K${line}\n` : `${line}\n`);
  }

  private plainLine(
    current: number,
    values: Readonly<Record<string, number>> | undefined,
    note: string | undefined,
  ): string {
    const { label, target } = this.options;
    const count = target === null ? String(current) : `${current}/${target}`;
    const shown = Object.entries(values ?? {}).map(([k, v]) => ` - ${k}: ${formatLogValue(v)}`);
    return `${label} ${count}${shown.join('')}${note ? ` - ${note}` : ''}`;
  }
}
