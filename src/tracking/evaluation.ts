/**
 * What the dashboard shows of a trained classifier: the confusion matrix on held-out data and the
 * worst-classified samples (lowest probability of the true class), with a PNG of each sample when
 * the inputs are images [n, h, w, 1|3].
 */
import { PNG } from 'pngjs';
import type { Model } from '../models/model.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * One of the worst-classified samples: its index, true label, prediction and the true class's
 * probability.
 */
export interface WorstSample {
  index: number;
  label: number;
  predicted: number;
  /** Probability the model gave the true class. */
  pTrue: number;
  /** A data: URL of the sample as a PNG (image data only). */
  image?: string;
}

/** A classifier's evaluation on held-out data: the confusion matrix, accuracy and worst samples. */
export interface Evaluation {
  classNames: string[];
  /** matrix[true][predicted] = count. */
  matrix: number[][];
  accuracy: number;
  worst: WorstSample[];
}

function argmaxRow(data: ArrayLike<number>, row: number, width: number): number {
  let best = 0;
  for (let k = 1; k < width; k++) if (data[row * width + k]! > data[row * width + best]!) best = k;
  return best;
}

/** A data: URL PNG of sample i of images [n, h, w, c] (values in [0, 1] or [0, 255]). */
export function samplePng(x: Tensor, i: number): string {
  const [, h = 0, w = 0, c = 1] = x.shape;
  const size = h * w * c;
  let max = 0;
  for (let k = 0; k < size; k++) max = Math.max(max, x.data[i * size + k]!);
  const scale = max <= 1 ? 255 : 1;
  const png = new PNG({ width: w, height: h });
  for (let p = 0; p < h * w; p++) {
    for (let ch = 0; ch < 3; ch++) {
      const v = x.data[i * size + p * c + (c === 3 ? ch : 0)]! * scale;
      png.data[p * 4 + ch] = Math.max(0, Math.min(255, Math.round(v)));
    }
    png.data[p * 4 + 3] = 255;
  }
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}

/** Predicts x and compares with the labels y (one-hot [n, k] or class indices [n]). */
export async function evaluateClassifier(
  model: Model,
  x: Tensor,
  y: Tensor,
  options: { classNames?: readonly string[]; worst?: number; images?: boolean } = {},
): Promise<Evaluation> {
  const n = x.shape[0] ?? 0;
  const out = (await model.predict(x, { batchSize: 256, verbose: 0 })) as Tensor;
  const width = out.size / Math.max(1, n);
  const classes = width === 1 ? 2 : width;
  const probs = (row: number, k: number) =>
    width === 1 ? (k === 1 ? out.data[row]! : 1 - out.data[row]!) : out.data[row * width + k]!;
  const yWidth = y.size / Math.max(1, n);
  const label = (row: number) =>
    yWidth === 1 ? Math.round(Number(y.data[row])) : argmaxRow(y.data, row, yWidth);
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const scored: WorstSample[] = [];
  let correct = 0;
  for (let i = 0; i < n; i++) {
    const t = label(i);
    const p = width === 1 ? (out.data[i]! >= 0.5 ? 1 : 0) : argmaxRow(out.data, i, width);
    if (t >= 0 && t < classes) matrix[t]![p]!++;
    if (t === p) correct++;
    scored.push({ index: i, label: t, predicted: p, pTrue: probs(i, t) });
  }
  scored.sort((a, b) => a.pTrue - b.pTrue);
  const isImage = options.images ?? (x.rank === 4 && (x.shape[3] === 1 || x.shape[3] === 3));
  const worst = scored.slice(0, options.worst ?? 16).map((s) => ({
    ...s,
    ...(isImage ? { image: samplePng(x, s.index) } : {}),
  }));
  return {
    classNames: options.classNames
      ? [...options.classNames]
      : Array.from({ length: classes }, (_, k) => String(k)),
    matrix,
    accuracy: n === 0 ? 0 : correct / n,
    worst,
  };
}
