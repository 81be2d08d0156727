import type { Dataset } from '../../data/dataset/dataset.js';
import { Tensor } from '../../tensor/tensor.js';
import { crossDuplicates, exactDuplicates } from './duplicates.js';
import { classBalance, constantFeatures, featureRanges, outOfRange } from './feature-checks.js';
import { findMissing } from './missing.js';
import { nearDuplicateTexts, nearDuplicateVectors } from './near-duplicates.js';
import type { Samples } from './rows.js';

/** The data `inspect` checks: samples, labels and optional test split. */
export interface InspectData {
  x: Samples;
  y?: Tensor | readonly (number | string)[];
  xTest?: Samples;
  yTest?: Tensor | readonly (number | string)[];
}

/** Options of `inspect`. */
export interface InspectOptions {
  /** Look for near duplicates too (slower; default true up to 20,000 samples). */
  nearDuplicates?: boolean;
  /** Near-duplicate similarity threshold (Jaccard for text 0.8, cosine for vectors 0.98). */
  threshold?: number;
  /** Expected value range of every feature, e.g. [0, 1] for scaled pixels. */
  valueRange?: readonly [number, number];
  /** Samples read from a Dataset (default 100,000). */
  limit?: number;
}

/** One finding: its severity, what it is, and the sample indices it concerns (a few). */
export interface Finding {
  level: 'ok' | 'warning' | 'error';
  check: string;
  message: string;
  samples?: number[];
}

/** What `inspect` found, one finding per issue. */
export interface InspectReport {
  findings: Finding[];
  /** The report as text, one line per finding. */
  toString(): string;
}

function labelsList(op: string, y: Tensor | readonly (number | string)[]): (number | string)[] {
  if (!(y instanceof Tensor)) {
    const kinds = new Set(y.map((v) => typeof v));
    if (kinds.size > 1)
      throw new TypeError(
        `${op}: labels mix types (${[...kinds].join(' and ')}); use one type for every label`,
      );
    return [...y];
  }
  const n = y.shape[0] ?? 0;
  const width = n === 0 ? 1 : y.size / n;
  return Array.from({ length: n }, (_, i) => {
    if (width === 1) return y.data[i]!;
    let best = 0;
    for (let k = 1; k < width; k++)
      if (y.data[i * width + k]! > y.data[i * width + best]!) best = k;
    return best;
  });
}

/** Reads {x, y} elements (unbatched, tensor x) of a dataset into arrays. */
async function fromDataset(ds: Dataset, limit: number): Promise<InspectData> {
  const xs: Tensor[] = [];
  const ys: (number | string)[] = [];
  for await (const el of ds) {
    if (xs.length >= limit) break;
    const e = el as { x?: unknown; y?: unknown } | unknown[];
    const x = Array.isArray(e) ? e[0] : e?.x;
    const y = Array.isArray(e) ? e[1] : e?.y;
    const t =
      x instanceof Tensor
        ? x
        : ArrayBuffer.isView(x)
          ? new Tensor(
              Float32Array.from(x as Float32Array),
              [(x as Float32Array).length],
              'float32',
            )
          : null;
    if (!t)
      throw new TypeError(
        'inspect: dataset elements must be {x, y} or [x, y] with numeric x (unbatched)',
      );
    xs.push(t);
    if (y !== undefined) ys.push(y instanceof Tensor ? y.data[0]! : (y as number | string));
  }
  if (xs.length === 0) return { x: new Tensor(new Float32Array(0), [0], 'float32') };
  const size = xs[0]!.size;
  const bad = xs.findIndex((t) => t.size !== size);
  if (bad >= 0)
    throw new RangeError(
      `inspect: element ${bad} has ${xs[bad]!.size} values but element 0 has ${size}`,
    );
  const data = new Float32Array(xs.length * size);
  xs.forEach((t, i) => {
    data.set(t.data as Float32Array, i * size);
  });
  return {
    x: new Tensor(data, [xs.length, ...xs[0]!.shape], 'float32'),
    y: ys.length ? ys : undefined,
  };
}

const few = (a: readonly number[]) => a.slice(0, 10);
const pct = (a: number, b: number) => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;

/**
 * A report to read before training: exact and near duplicates, train/test leakage, missing and
 * non-finite values, constant and out-of-range features, and class balance. For label errors,
 * run `outOfFoldProbabilities` then `findLabelIssues` (it needs model training).
 * `console.log(String(await cleaning.inspect({ x: xTrain, y: yTrain, xTest, yTest })))`
 */
export async function inspect(
  data: InspectData | Dataset,
  options: InspectOptions = {},
): Promise<InspectReport> {
  const d = 'x' in data ? data : await fromDataset(data, options.limit ?? 100000);
  const findings: Finding[] = [];
  const add = (f: Finding) => findings.push(f);
  const n = d.x instanceof Tensor ? (d.x.shape[0] ?? 0) : d.x.length;
  if (n === 0) {
    add({ level: 'error', check: 'size', message: 'the data set is empty (0 samples)' });
    return report(findings);
  }
  add({
    level: 'ok',
    check: 'size',
    message: `${n} samples${d.xTest ? `, ${d.xTest instanceof Tensor ? d.xTest.shape[0] : d.xTest.length} test samples` : ''}`,
  });
  if (d.x instanceof Tensor !== (d.xTest === undefined || d.xTest instanceof Tensor)) {
    add({
      level: 'error',
      check: 'types',
      message: 'x and xTest are of different kinds (tensor and strings)',
    });
  }

  const exact = exactDuplicates(d.x);
  const copies = exact.reduce((s, g) => s + g.length - 1, 0);
  add({
    level: copies ? 'warning' : 'ok',
    check: 'exact duplicates',
    message: `${copies} redundant copies in ${exact.length} groups (${pct(copies, n)})`,
    samples: few(exact.flatMap((g) => g.slice(1))),
  });
  if (d.y) {
    const ys = labelsList('inspect', d.y);
    const conflicts = exact.filter((g) => new Set(g.map((i) => ys[i])).size > 1);
    if (conflicts.length) {
      add({
        level: 'error',
        check: 'conflicting labels',
        message: `${conflicts.length} groups of identical samples carry different labels`,
        samples: few(conflicts.flat()),
      });
    }
  }
  const near = options.nearDuplicates ?? n <= 20000;
  if (near) {
    const pairs =
      d.x instanceof Tensor
        ? nearDuplicateVectors(d.x, null, { threshold: options.threshold })
        : nearDuplicateTexts(d.x, null, { threshold: options.threshold });
    const notExact = pairs.filter((p) => p.similarity < 1 - 1e-9);
    add({
      level: notExact.length ? 'warning' : 'ok',
      check: 'near duplicates',
      message: `${notExact.length} near-duplicate pairs that are not exact copies`,
      samples: few(notExact.map((p) => p.j)),
    });
  }
  if (d.xTest) {
    const cross = crossDuplicates(d.x, d.xTest);
    const leaked = new Set(cross.map(([, j]) => j));
    const nTest = d.xTest instanceof Tensor ? d.xTest.shape[0]! : d.xTest.length;
    add({
      level: leaked.size ? 'error' : 'ok',
      check: 'train/test leakage',
      message: `${leaked.size} of ${nTest} test samples (${pct(leaked.size, nTest)}) are identical to a training sample`,
      samples: few([...leaked]),
    });
    if (near && d.x instanceof Tensor === d.xTest instanceof Tensor) {
      const pairs =
        d.x instanceof Tensor
          ? nearDuplicateVectors(d.x, d.xTest as Tensor, { threshold: options.threshold })
          : nearDuplicateTexts(d.x, d.xTest as string[], { threshold: options.threshold });
      const nearLeak = new Set(pairs.map((p) => p.j).filter((j) => !leaked.has(j)));
      add({
        level: nearLeak.size ? 'warning' : 'ok',
        check: 'near leakage',
        message: `${nearLeak.size} more test samples nearly duplicate a training sample`,
        samples: few([...nearLeak]),
      });
    }
  }
  if (d.x instanceof Tensor) {
    const m = findMissing(d.x);
    const nan = m.nan.reduce((s, v) => s + v, 0);
    const inf = m.infinite.reduce((s, v) => s + v, 0);
    add({
      level: m.rows.length ? 'error' : 'ok',
      check: 'missing values',
      message: `${nan} NaN and ${inf} infinite values in ${m.rows.length} samples; impute(x, {strategy: 'mean' | 'median' | 'constant' | 'drop'})`,
      samples: few(m.rows),
    });
    const constant = constantFeatures(d.x);
    const f = d.x.size / n;
    add({
      level: constant.length ? 'warning' : 'ok',
      check: 'constant features',
      message: `${constant.length} of ${f} features never change`,
      samples: undefined,
    });
    if (options.valueRange) {
      const o = outOfRange(d.x, { min: options.valueRange[0], max: options.valueRange[1] }, 10);
      add({
        level: o.count ? 'warning' : 'ok',
        check: 'out of range',
        message: `${o.count} values outside [${options.valueRange.join(', ')}]`,
        samples: o.examples.map((e) => e.sample),
      });
    }
    if (d.xTest instanceof Tensor) {
      const r = featureRanges(d.x);
      const o = outOfRange(d.xTest, r, 10);
      add({
        level: o.count ? 'warning' : 'ok',
        check: 'test out of training range',
        message: `${o.count} test values lie outside their feature's training range`,
        samples: o.examples.map((e) => e.sample),
      });
    }
  }
  for (const [name, y] of [
    ['y', d.y],
    ['yTest', d.yTest],
  ] as const) {
    if (!y) continue;
    const ys = labelsList('inspect', y);
    if (
      ys.length !==
      (name === 'y' ? n : d.xTest instanceof Tensor ? d.xTest.shape[0] : d.xTest?.length)
    ) {
      add({
        level: 'error',
        check: 'labels',
        message: `${name} has ${ys.length} labels for ${name === 'y' ? n : 'the test'} samples`,
      });
      continue;
    }
    const names = [...new Set(ys)].sort();
    const ids = ys.map((v) => names.indexOf(v));
    const { counts, ratio } = classBalance(ids);
    add({
      level: ratio > 3 ? 'warning' : 'ok',
      check: `class balance (${name})`,
      message: `${names.length} classes; counts ${names.map((c, i) => `${c}: ${counts[i]}`).join(', ')}; largest/smallest ${ratio.toFixed(2)}${ratio > 3 ? ' (consider classWeight or resampling)' : ''}`,
    });
  }
  return report(findings);
}

function report(findings: Finding[]): InspectReport {
  return {
    findings,
    toString() {
      return findings
        .map(
          (f) =>
            `${f.level === 'ok' ? '  ok   ' : f.level === 'warning' ? '  WARN ' : '  ERROR'} ${f.check}: ${f.message}${f.samples?.length ? ` (e.g. samples ${f.samples.join(', ')})` : ''}`,
        )
        .join('\n');
    },
  };
}
