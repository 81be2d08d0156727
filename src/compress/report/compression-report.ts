import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Model } from '../../models/model.js';
import type { Layer } from '../../nn/engine/layer.js';
import { argmax } from '../../ops/argmax.js';
import { slice } from '../../ops/slice.js';
import { DTYPES } from '../../tensor/dtype.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { allLayers } from '../all-layers.js';

/** One layer of a model: its weights' count, bytes, dtypes and share of exact zeros. */
export interface LayerSize {
  layer: string;
  className: string;
  parameters: number;
  /** Bytes of the weights in memory (int8 1, float32 4...). */
  bytes: number;
  dtypes: string[];
  /** The fraction of weight values that are exactly 0 (pruning). */
  sparsity: number;
}

/** What compressionReport measures of one model. */
export interface ModelMeasures {
  parameters: number;
  /** Bytes of the weights in memory. */
  weightBytes: number;
  /** Bytes of `model.save`'s file; null when the model cannot be saved (the reason is in fileError). */
  fileBytes: number | null;
  fileError?: string;
  /** evaluate()'s loss and metrics when the model is compiled, else the accuracy of its predictions. */
  metrics: Record<string, number>;
  /** Median milliseconds of `predict` on one sample. */
  latencyMs: number;
  /** Samples per second of `predict` on batches of `batchSize` (from the median call). */
  throughput: number;
  layers: LayerSize[];
}

/**
 * Options of the compression report: how many predict calls are timed, and the throughput batch.
 */
export interface CompressionReportOptions {
  /** Batch-1 predict calls timed per model (default 100). */
  latencyCalls?: number;
  /** Full-batch predict calls timed per model (default 5). */
  throughputCalls?: number;
  /** The throughput batch (default 256, or fewer when the test data is smaller). */
  batchSize?: number;
}

const fixed = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : String(v));

/** A model before and after compression, measured side by side. `String(report)` is a table. */
export class CompressionReport {
  constructor(
    readonly before: ModelMeasures,
    readonly after: ModelMeasures,
  ) {}

  /** before ÷ after for sizes and latency, after ÷ before for throughput: above 1 is a gain. */
  get ratios(): {
    weightBytes: number;
    fileBytes: number | null;
    latency: number;
    throughput: number;
  } {
    const { before: b, after: a } = this;
    return {
      weightBytes: b.weightBytes / a.weightBytes,
      fileBytes: b.fileBytes !== null && a.fileBytes ? b.fileBytes / a.fileBytes : null,
      latency: b.latencyMs / a.latencyMs,
      throughput: a.throughput / b.throughput,
    };
  }

  /** A table of parameters, file size, latency and throughput before and after, with the ratios. */
  toString(): string {
    const { before: b, after: a } = this;
    const r = this.ratios;
    const rows: [string, string, string, string][] = [
      ['parameters', `${b.parameters}`, `${a.parameters}`, ''],
      [
        'weight bytes',
        `${b.weightBytes}`,
        `${a.weightBytes}`,
        `${fixed(r.weightBytes, 2)}x smaller`,
      ],
      [
        'file bytes',
        `${b.fileBytes ?? b.fileError}`,
        `${a.fileBytes ?? a.fileError}`,
        r.fileBytes === null ? '' : `${fixed(r.fileBytes, 2)}x smaller`,
      ],
      ...[...new Set([...Object.keys(b.metrics), ...Object.keys(a.metrics)])].map(
        (k) =>
          [k, fixed(b.metrics[k] ?? Number.NaN, 4), fixed(a.metrics[k] ?? Number.NaN, 4), ''] as [
            string,
            string,
            string,
            string,
          ],
      ),
      [
        'batch-1 latency (ms)',
        fixed(b.latencyMs, 3),
        fixed(a.latencyMs, 3),
        `${fixed(r.latency, 2)}x faster`,
      ],
      [
        'throughput (samples/s)',
        fixed(b.throughput, 0),
        fixed(a.throughput, 0),
        `${fixed(r.throughput, 2)}x`,
      ],
    ];
    const width = (i: number) => Math.max(...rows.map((row) => row[i]!.length), 6);
    const line = (row: readonly string[]) =>
      row.map((c, i) => (i === 0 ? c.padEnd(width(0)) : c.padStart(width(i)))).join('  ');
    const layers = a.layers.map(
      (l) =>
        `  ${l.layer} (${l.className}): ${l.parameters} parameters, ${l.bytes} bytes, ${l.dtypes.join('/')}, ${(l.sparsity * 100).toFixed(1)}% zeros`,
    );
    return [
      line(['', 'before', 'after', 'ratio']),
      ...rows.map(line),
      'after, per layer:',
      ...layers,
    ].join('\n');
  }
}

function layerSize(layer: Layer): LayerSize {
  let parameters = 0;
  let bytes = 0;
  let zeros = 0;
  const dtypes = new Set<string>();
  for (const w of layer.weights) {
    parameters += w.size;
    bytes += w.size * DTYPES[w.dtype].bytes;
    dtypes.add(w.dtype);
    for (let i = 0; i < w.size; i++) if (w.data[i] === 0) zeros++;
  }
  const className = (layer.constructor as typeof Layer).className;
  return {
    layer: layer.name,
    className,
    parameters,
    bytes,
    dtypes: [...dtypes],
    sparsity: parameters ? zeros / parameters : 0,
  };
}

function fileSize(model: Model): { fileBytes: number | null; fileError?: string } {
  const dir = mkdtempSync(join(tmpdir(), 'keel-compression-report-'));
  try {
    const path = join(dir, 'model.keel');
    model.save(path);
    return { fileBytes: statSync(path).size };
  } catch (e) {
    return { fileBytes: null, fileError: (e as Error).message };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The accuracy of the predictions: argmax over the last axis against class ids or one-hot y. */
function accuracy(pred: Tensor, y: Tensor): number {
  const p = argmax(pred).data;
  const oneHot =
    y.rank === pred.rank && y.shape.at(-1) === pred.shape.at(-1) && pred.shape.at(-1)! > 1;
  const t = oneHot ? argmax(y).data : y.data;
  let right = 0;
  for (let i = 0; i < p.length; i++) if (p[i] === Number(t[i])) right++;
  return right / p.length;
}

async function metricsOf(model: Model, x: Tensor, y: Tensor): Promise<Record<string, number>> {
  if (model.compiled)
    return (await model.evaluate(x, y, { returnDict: true, verbose: 0 })) as Record<string, number>;
  const pred = model.predict(x, { batchSize: 256 });
  if (Array.isArray(pred))
    throw new TypeError(
      `compressionReport: model '${model.name}' has several outputs; compile it so that evaluate gives its loss and metrics`,
    );
  return { accuracy: accuracy(pred, y) };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;

/** Times fn on each model in alternation (so drift hits both alike): the medians in ms. */
function alternate(models: readonly Model[], calls: number, fn: (m: Model) => void): number[] {
  for (const m of models) fn(m); // warm-up, and plans traced
  const times = models.map(() => [] as number[]);
  for (let r = 0; r < calls; r++)
    models.forEach((m, i) => {
      const t0 = performance.now();
      fn(m);
      times[i]!.push(performance.now() - t0);
    });
  return times.map(median);
}

/**
 * A model before and after compression (`quantize`, pruning, distillation) side by side:
 * parameters, weight and file bytes, loss and metrics on `testData` (evaluate's when a model is
 * compiled, else the accuracy of its predictions), batch-1 latency and batch-256 throughput
 * (timed in alternation, medians), and each layer's size, dtypes and sparsity.
 * `console.log(String(await compressionReport(model, quantized, { x: xTest, y: yTest })))`
 */
export async function compressionReport(
  before: Model,
  after: Model,
  testData: { x: Tensor; y: Tensor },
  options: CompressionReportOptions = {},
): Promise<CompressionReport> {
  const { x, y } = testData ?? ({} as { x?: Tensor; y?: Tensor });
  if (
    !x ||
    !y ||
    typeof x !== 'object' ||
    typeof y !== 'object' ||
    !('shape' in x) ||
    !('shape' in y)
  )
    throw new TypeError('compressionReport: testData must be { x, y } tensors');
  const n = x.shape[0] ?? 0;
  if (x.rank === 0 || n === 0 || y.shape[0] !== n)
    throw new RangeError(
      `compressionReport: testData needs the same number (>= 1) of samples in x and y, got x ${formatShape(x.shape)} and y ${formatShape(y.shape)}`,
    );
  const batch = Math.min(n, options.batchSize ?? 256);
  const rows = (count: number) =>
    slice(x, [0, ...x.shape.slice(1).map(() => 0)], [count, ...x.shape.slice(1)]);
  const one = rows(1);
  const full = rows(batch);
  const models = [before, after];
  const latency = alternate(models, options.latencyCalls ?? 100, (m) => m.predict(one));
  const total = alternate(models, options.throughputCalls ?? 5, (m) =>
    m.predict(full, { batchSize: batch }),
  );
  const measures: ModelMeasures[] = [];
  for (const [i, model] of models.entries()) {
    const layers = allLayers(model)
      .filter((l) => l.weights.length > 0)
      .map(layerSize);
    measures.push({
      parameters: layers.reduce((s, l) => s + l.parameters, 0),
      weightBytes: layers.reduce((s, l) => s + l.bytes, 0),
      ...fileSize(model),
      metrics: await metricsOf(model, x, y),
      latencyMs: latency[i]!,
      throughput: (batch * 1000) / total[i]!,
      layers,
    });
  }
  return new CompressionReport(measures[0]!, measures[1]!);
}
