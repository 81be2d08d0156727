/**
 * What `keel quantize` and `keel distill` print and save: the compressed model written beside the
 * original, and the compression report of the two (accuracy on the test set, file sizes, latency).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { compressionReport } from '../compress/report/compression-report.js';
import type { Model } from '../models/model.js';
import { getOptimizer, type OptimizerName } from '../nn/optimizers/get-optimizer.js';
import type { Optimizer } from '../nn/optimizers/optimizer.js';
import type { LoadedData } from './train-config/load-data.js';

/** Bytes of a model file, or of a folder's files (a TensorFlow.js model). */
export function bytesOf(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((n, f) => n + bytesOf(join(path, f)), 0);
}

/**
 * Compiles `after` with the loss and metrics `before` was compiled with (a fresh optimizer of the
 * same kind), so that its file can be evaluated with `keel evaluate`. Nothing when `before` is not
 * compiled.
 */
export function recompileLike(after: Model, before: Model): void {
  const c = before.compiled;
  const loss = c?.losses[0];
  if (!c || !loss || c.losses.length !== 1) return;
  const kind = (c.optimizer.constructor as typeof Optimizer).className.toLowerCase();
  let optimizer: Optimizer;
  try {
    optimizer = getOptimizer(kind as OptimizerName); // unknown names throw, caught below
  } catch {
    optimizer = getOptimizer('sgd');
  }
  after.compile({ optimizer, loss, metrics: c.metricSpecs[0] ?? [] });
}

export interface CompressionSummary {
  output: string;
  /** Test samples the metrics were measured on (0 without data). */
  samples: number;
  /** The metrics of the model before and after on the test set (empty without data). */
  before: Record<string, number>;
  after: Record<string, number>;
  /** The input file's bytes (optimizer state included when it has one) and the written file's. */
  bytes: { input: number; output: number };
  /** Both models saved alike, without optimizer state (the report's file bytes; null without data). */
  modelBytes: { before: number | null; after: number | null } | null;
  /** Median batch-1 predict latency in ms (null without data). */
  latencyMs: { before: number; after: number } | null;
  /** The compression report's table (null without data). */
  table: string | null;
}

/** Saves `after` to `output` (with its compile settings) and measures both models on the test set. */
export async function compressionSummary(
  input: string,
  before: Model,
  after: Model,
  output: string,
  data: LoadedData | null,
): Promise<CompressionSummary> {
  after.save(output, { includeOptimizer: after.compiled !== null });
  const bytes = { input: bytesOf(input), output: bytesOf(output) };
  if (!data)
    return {
      output,
      samples: 0,
      before: {},
      after: {},
      bytes,
      modelBytes: null,
      latencyMs: null,
      table: null,
    };
  const report = await compressionReport(
    before,
    after,
    { x: data.xTest, y: data.yTest },
    { latencyCalls: 20, throughputCalls: 3 },
  );
  return {
    output,
    samples: data.xTest.shape[0]!,
    before: report.before.metrics,
    after: report.after.metrics,
    bytes,
    modelBytes: { before: report.before.fileBytes, after: report.after.fileBytes },
    latencyMs: { before: report.before.latencyMs, after: report.after.latencyMs },
    table: String(report),
  };
}

/** The summary as lines: the report's table, each test metric before -> after, the file sizes. */
export function printCompressionSummary(input: string, s: CompressionSummary): void {
  if (s.table) console.log(s.table);
  for (const k of Object.keys(s.after))
    console.log(`Test ${k}: ${s.before[k] ?? 'n/a'} -> ${s.after[k]}`);
  const { before, after } = s.modelBytes ?? {};
  const alike =
    before && after
      ? `; saved alike, without optimizer state: ${before} -> ${after} (${(before / after).toFixed(2)}x smaller)`
      : '';
  console.log(
    `File: ${input} ${s.bytes.input} bytes -> ${s.output} ${s.bytes.output} bytes${alike}`,
  );
}
