import { closeSync, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { Callback, type Logs } from './callback.js';

/**
 * Writes one line per epoch to a CSV file: 'epoch' then the log keys in sorted order (missing
 * values as NA), flushed line by line (Keras's CSVLogger). Like Keras, when the first epoch has no
 * 'val_' keys, 'val_' columns are reserved for validation that starts later.
 * `new CSVLogger('training.csv', {append: true})`
 */
export class CSVLogger extends Callback {
  readonly separator: string;
  readonly append: boolean;
  private fd: number | null = null;
  private keys: string[] | null = null;
  private writeHeader = true;

  constructor(
    readonly filename: string,
    options: { separator?: string; append?: boolean } = {},
  ) {
    super();
    this.separator = options.separator ?? ',';
    this.append = options.append ?? false;
  }

  /** Opens the file (truncated, or appended to with `append`) for a new run. */
  override onTrainBegin(_logs: Logs): void {
    this.writeHeader = true;
    this.keys = null;
    if (this.append && existsSync(this.filename)) {
      // Continue an existing file without repeating its header.
      this.writeHeader = readFileSync(this.filename, 'utf8').length === 0;
    }
    this.fd = openSync(this.filename, this.append ? 'a' : 'w');
  }

  /** Writes one row: the epoch and every logged value (header from the first epoch's keys). */
  override onEpochEnd(epoch: number, logs: Logs): void {
    if (this.fd === null) this.onTrainBegin({});
    if (this.keys === null) {
      const keys = Object.keys(logs).sort();
      if (!keys.some((k) => k.startsWith('val_'))) keys.push(...keys.map((k) => `val_${k}`));
      this.keys = keys;
    }
    if (this.writeHeader) {
      this.writeLine(['epoch', ...this.keys]);
      this.writeHeader = false;
    }
    this.writeLine([
      String(epoch),
      ...this.keys.map((k) => (logs[k] === undefined ? 'NA' : String(logs[k]))),
    ]);
  }

  /** Closes the file. */
  override onTrainEnd(_logs: Logs): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private writeLine(fields: string[]): void {
    const line = fields.map((f) => this.quote(f)).join(this.separator);
    writeSync(this.fd!, `${line}\n`);
  }

  /** Quotes a field that contains the separator, a quote or a line break (RFC 4180). */
  private quote(field: string): string {
    if (!field.includes(this.separator) && !/["\r\n]/.test(field)) return field;
    return `"${field.replaceAll('"', '""')}"`;
  }
}
