import { parse } from 'csv-parse';
import { regularFileStream } from '../../utils/safe-file.js';

/** The type of a CSV column: numbers (float), integers, or strings. */
export type CsvColumnType = 'number' | 'int' | 'string';

export interface CsvOptions {
  /** true (default): the first row names the columns; false: columns are named c0, c1, ...; or the names. */
  header?: boolean | readonly string[];
  /** Field separator (default ','). */
  delimiter?: string;
  /** Column types by name; columns not listed are inferred from the first data row. */
  columnTypes?: Readonly<Record<string, CsvColumnType>>;
  /** Value used for an empty field, per column (otherwise empty numbers are NaN, empty strings ''). */
  defaults?: Readonly<Record<string, number | string>>;
  /** Only these columns, in this order. */
  select?: readonly string[];
  /**
   * With a label column, each element is {x: Float32Array of the other (numeric) selected columns,
   * y: the label}; without, a record keyed by column name.
   */
  labelColumn?: string;
  /** 'error' (default): a malformed row throws with its line number; 'skip': it is dropped and counted in `onSkip`. */
  badRows?: 'error' | 'skip';
  /** Called for each skipped row with its line and the reason. */
  onSkip?: (line: number, reason: string) => void;
  /** Most bytes in one record (default 64 MiB): an unterminated quote cannot swallow the file. */
  maxRecordBytes?: number;
}

/**
 * The strict decimal grammar of a CSV number: optional sign, digits with an optional fraction,
 * an optional exponent; or nan / inf / infinity (any case). `0x1A`, `1_000`, `0b1` are not numbers.
 */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const SPECIAL = /^[+-]?(nan|inf|infinity)$/i;

/** The number a CSV field spells by `DECIMAL` (surrounding spaces allowed), or undefined. */
export function parseCsvNumber(raw: string): number | undefined {
  const t = raw.trim();
  if (DECIMAL.test(t)) return Number(t);
  if (!SPECIAL.test(t)) return undefined;
  if (/nan/i.test(t)) return Number.NaN;
  return t.startsWith('-') ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
}

/** One row keyed by column name; a null-prototype object, so `__proto__` is an ordinary column. */
export type CsvRecord = Record<string, number | string>;

function convert(
  path: string,
  line: number,
  name: string,
  raw: string,
  type: CsvColumnType,
  fallback: number | string | undefined,
): number | string {
  if (raw === '' && fallback !== undefined) return fallback;
  if (type === 'string') return raw;
  if (raw.trim() === '') return Number.NaN;
  const v = parseCsvNumber(raw);
  if (v === undefined) {
    throw new TypeError(
      `Dataset.csv: ${path} line ${line}: column '${name}' is ${type} but holds ${JSON.stringify(raw)}`,
    );
  }
  if (type === 'int' && Number.isFinite(v) && !Number.isInteger(v)) {
    throw new TypeError(
      `Dataset.csv: ${path} line ${line}: column '${name}' is int but holds ${raw}`,
    );
  }
  return v;
}

/**
 * Streams a CSV file row by row (csv-parse over a file stream: the file is never held in memory
 * whole; reading pauses while the consumer is busy). Quoted fields, embedded delimiters and
 * newlines follow RFC 4180.
 */
export async function* readCsv(path: string, options: CsvOptions = {}): AsyncGenerator<unknown> {
  const header = options.header ?? true;
  const file = regularFileStream(path, 'Dataset.csv');
  const parser = parse({
    delimiter: options.delimiter ?? ',',
    relax_column_count: true,
    skip_empty_lines: true,
    info: true,
    max_record_size: options.maxRecordBytes ?? 64 * 2 ** 20,
  });
  // pipe() drops the source's errors: hand them to the parser, whose loop below rethrows them.
  file.on('error', (e) => parser.destroy(e));
  file.pipe(parser);
  let names: string[] | null = Array.isArray(header) ? [...header] : null;
  let types: CsvColumnType[] | null = null;
  let picked: number[] | null = null;
  let labelAt = -1;
  let columnAt: Map<string, number> | null = null;
  // Own properties only: a column named 'constructor' must not find Object.prototype's.
  const defaults = options.defaults;
  const defaultOf = (name: string) =>
    defaults && Object.hasOwn(defaults, name) ? defaults[name] : undefined;
  const skip = (line: number, reason: string): void => {
    if (options.badRows !== 'skip')
      throw new RangeError(`Dataset.csv: ${path} line ${line}: ${reason}`);
    options.onSkip?.(line, reason);
  };
  try {
    for await (const { record, info } of parser as AsyncIterable<{
      record: string[];
      info: { lines: number };
    }>) {
      const line = info.lines;
      if (names === null) {
        if (header === true) {
          names = record.map((n) => n.trim());
          checkUniqueNames(names, path);
          continue;
        }
        names = record.map((_, i) => `c${i}`);
      }
      if (columnAt === null) {
        if (Array.isArray(header)) checkUniqueNames(names, path);
        columnAt = new Map(names.map((n, i) => [n, i]));
      }
      if (record.length !== names.length) {
        skip(line, `expected ${names.length} fields (${names.join(', ')}), got ${record.length}`);
        continue;
      }
      if (types === null) {
        const given = options.columnTypes ?? {};
        for (const k of Object.keys(given)) {
          if (!columnAt.has(k))
            throw new RangeError(
              `Dataset.csv: ${path}: columnTypes names '${k}', not a column (${names.join(', ')})`,
            );
        }
        types = names.map(
          (n, i) =>
            (Object.hasOwn(given, n) ? given[n] : undefined) ??
            (record[i]!.trim() !== '' && parseCsvNumber(record[i]!) !== undefined
              ? 'number'
              : 'string'),
        );
        const sel = options.select ?? names;
        picked = sel.map((s) => {
          const i = columnAt!.get(s) ?? -1;
          if (i < 0)
            throw new RangeError(
              `Dataset.csv: ${path}: select names '${s}', not a column (${names!.join(', ')})`,
            );
          return i;
        });
        if (options.labelColumn !== undefined) {
          labelAt = columnAt.get(options.labelColumn) ?? -1;
          if (labelAt < 0)
            throw new RangeError(
              `Dataset.csv: ${path}: labelColumn '${options.labelColumn}' is not a column (${names.join(', ')})`,
            );
          picked = picked.filter((i) => i !== labelAt);
          const bad = picked.find((i) => types![i] === 'string');
          if (bad !== undefined)
            throw new TypeError(
              `Dataset.csv: ${path}: feature column '${names[bad]}' holds strings; select numeric columns or set columnTypes`,
            );
        }
      }
      let out: unknown;
      try {
        const value = (i: number) =>
          convert(path, line, names![i]!, record[i]!, types![i]!, defaultOf(names![i]!));
        if (labelAt >= 0) {
          const x = new Float32Array(picked!.length);
          picked!.forEach((i, k) => {
            x[k] = value(i) as number;
          });
          out = { x, y: value(labelAt) };
        } else {
          const rec: CsvRecord = Object.create(null);
          for (const i of picked!) rec[names[i]!] = value(i);
          out = rec;
        }
      } catch (e) {
        skip(line, (e as Error).message.replace(/^Dataset\.csv: .* line \d+: /, ''));
        continue;
      }
      yield out;
    }
  } catch (e) {
    const err = e as Error & { code?: string; lines?: number };
    if (err.code?.startsWith('CSV_')) {
      throw new RangeError(
        `Dataset.csv: ${path} line ${err.lines ?? '?'}: malformed CSV (${err.message})`,
      );
    }
    if (err.code === 'ENOENT') throw new Error(`Dataset.csv: cannot read ${path}: no such file`);
    throw e;
  } finally {
    parser.destroy();
    file.destroy();
  }
}

/** Column names must be unique: a repeated name would hide a column. */
function checkUniqueNames(names: readonly string[], path: string): void {
  const first = new Map<string, number>();
  names.forEach((n, i) => {
    const j = first.get(n);
    if (j !== undefined) {
      throw new RangeError(
        `Dataset.csv: ${path}: column name '${n}' appears twice, at columns ${j + 1} and ${i + 1}`,
      );
    }
    first.set(n, i);
  });
}
