/** Where progress output goes: process.stdout by default, any object with `write` in tests. */
export interface OutputStream {
  write(text: string): unknown;
  /** True for a terminal: the bar is redrawn in place. */
  isTTY?: boolean;
}

export interface ProgbarOptions {
  /** Total number of steps, or null when unknown. */
  target: number | null;
  /** Bar width in characters (Keras: 20). */
  width?: number;
  /** 1: a bar redrawn in place on a terminal; 2: one line when finished. */
  verbose?: number;
  /** Minimum seconds between redraws (default 0.1: at most ~10 redraws per second). */
  interval?: number;
  unitName?: string;
  stream?: OutputStream;
  /** Redraw in place with \r (default: stream.isTTY). Without it, verbose 1 prints one line at the end. */
  dynamic?: boolean;
  /** ANSI bold and colours (default: dynamic and NO_COLOR unset). */
  color?: boolean;
  /** The clock in milliseconds (tests inject a fake one). */
  now?: () => number;
}

/** Keras's number format in logs: 4 decimals, or scientific notation for tiny values ('1.2346e-04'). */
export function formatLogValue(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Math.abs(v) > 1e-3) return v.toFixed(4);
  const [mantissa, exp] = v.toExponential(4).split('e') as [string, string];
  const sign = exp.startsWith('-') ? '-' : '+';
  return `${mantissa}e${sign}${exp.replace(/^[-+]/, '').padStart(2, '0')}`;
}

/** A duration per step: '12ms/step', '2s/step', '350us/step'. */
export function formatStepTime(seconds: number, unit: string): string {
  if (seconds >= 1 || seconds === 0) return `${seconds.toFixed(0)}s/${unit}`;
  if (seconds >= 1e-3) return `${(seconds * 1e3).toFixed(0)}ms/${unit}`;
  return `${(seconds * 1e6).toFixed(0)}us/${unit}`;
}

/** Remaining time: '42s', '3:07', '1:02:03'. */
export function formatEta(seconds: number): string {
  const s = Math.floor(seconds);
  const two = (n: number) => String(n).padStart(2, '0');
  if (seconds > 3600)
    return `${Math.floor(s / 3600)}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}`;
  if (seconds > 60) return `${Math.floor(s / 60)}:${two(s % 60)}`;
  return `${s}s`;
}

/**
 * Keras's progress bar: `120/251 ━━━━━━━━━━━━━━━━━━━━ 3s 12ms/step - accuracy: 0.9100 - loss: 0.3100`,
 * redrawn in place on a terminal with the time left, ending with the total time and time per step.
 * Off a terminal (or with verbose 2) it prints only the final line: `251/251 - 3s - 12ms/step - ...`.
 */
export class Progbar {
  readonly target: number | null;
  private readonly width: number;
  private readonly verbose: number;
  private readonly interval: number;
  private readonly unitName: string;
  private readonly stream: OutputStream;
  private readonly dynamic: boolean;
  private readonly color: boolean;
  private readonly now: () => number;
  private readonly start: number;
  private lastUpdate = Number.NEGATIVE_INFINITY;
  private timeAfterFirstStep: number | null = null;
  private prevWidth = 0;
  private values: [string, number][] = [];
  private note = '';
  private finished = false;

  constructor(options: ProgbarOptions) {
    this.target = options.target;
    this.width = options.width ?? 20;
    this.verbose = options.verbose ?? 1;
    this.interval = options.interval ?? 0.1;
    this.unitName = options.unitName ?? 'step';
    this.stream = options.stream ?? process.stdout;
    this.dynamic = options.dynamic ?? this.stream.isTTY === true;
    this.color = options.color ?? (this.dynamic && !process.env['NO_COLOR']);
    this.now = options.now ?? (() => performance.now());
    this.start = this.now();
  }

  /**
   * Reports step `current` (1-based count of finished steps) with the latest values to show and,
   * optionally, a note shown after them (what the task is doing now: a layer, a trial).
   */
  update(
    current: number,
    values?: Readonly<Record<string, number>>,
    finalize?: boolean,
    note?: string,
  ): void {
    if (this.finished) return;
    const done = finalize ?? (this.target !== null && current >= this.target);
    if (values) this.values = Object.entries(values);
    if (note !== undefined) this.note = note;
    const now = this.now();
    const perStep = this.stepDuration(current, now);
    if (this.verbose === 1 && this.dynamic) {
      if (!done && (now - this.lastUpdate) / 1000 < this.interval) return;
      this.draw(current, now, perStep, done);
      this.lastUpdate = now;
    } else if (done && this.verbose >= 1) {
      const count = this.target !== null ? this.counter(current) : String(current);
      const elapsed = `${((now - this.start) / 1000).toFixed(0)}s`;
      this.stream.write(
        `${count} - ${elapsed} - ${formatStepTime(perStep, this.unitName)}${this.valuesText()}\n`,
      );
    }
    if (done) this.finished = true;
  }

  private draw(current: number, now: number, perStep: number, done: boolean): void {
    const c = this.color;
    const bold = (s: string) => (c ? `\x1b[1m${s}\x1b[0m` : s);
    let bar: string;
    let visible: number;
    if (this.target !== null && this.target > 0) {
      const count = this.counter(current);
      const filled = Math.max(
        0,
        Math.min(this.width, Math.floor((this.width * current) / this.target)),
      );
      const full = '━'.repeat(filled);
      // Colour tells done from to-do in Keras's bar; without it the to-do part is a lighter line.
      const empty = (c ? '━' : '─').repeat(this.width - filled);
      const line = c
        ? `${filled > 0 ? `\x1b[32m${full}\x1b[0m` : ''}\x1b[37m${empty}\x1b[0m`
        : full + empty;
      bar = `${bold(count)} ${line}`;
      visible = count.length + 1 + this.width;
    } else {
      bar = `${String(current).padStart(7)}/Unknown`;
      visible = bar.length;
    }
    const time =
      this.target !== null && this.target > 0 && !done
        ? formatEta(perStep * (this.target - current))
        : `${((now - this.start) / 1000).toFixed(0)}s`;
    const rest = ` ${formatStepTime(perStep, this.unitName)}${this.valuesText()}`;
    visible += 1 + time.length + rest.length;
    let text = `\r${bar} ${bold(time)}${rest}`;
    if (this.prevWidth > visible) text += ' '.repeat(this.prevWidth - visible);
    if (done) text += '\n';
    this.stream.write(text);
    this.prevWidth = visible;
  }

  private counter(current: number): string {
    const digits = String(this.target).length;
    return `${String(current).padStart(digits)}/${this.target}`;
  }

  private valuesText(): string {
    const shown = this.values.map(([k, v]) => ` - ${k}: ${formatLogValue(v)}`).join('');
    return this.note ? `${shown} - ${this.note}` : shown;
  }

  /** Seconds per step, ignoring the (unrepresentative) first step once more are done. */
  private stepDuration(current: number, now: number): number {
    if (current <= 0) return 0;
    let perStep: number;
    if (this.timeAfterFirstStep !== null && current > 1) {
      perStep = (now - this.timeAfterFirstStep) / 1000 / (current - 1);
    } else {
      perStep = (now - this.start) / 1000 / current;
    }
    if (current === 1 && this.timeAfterFirstStep === null) this.timeAfterFirstStep = now;
    return perStep;
  }
}
