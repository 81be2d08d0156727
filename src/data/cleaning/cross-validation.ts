import { takeRows } from '../../models/data-adapter.js';
import type { FitArgs } from '../../models/fit.js';
import type { Model } from '../../models/model.js';
import { Rng } from '../../random/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { labelsOf } from './rows.js';

/** Options of the out-of-fold predictions: folds, each fold's fit arguments and the seed. */
export interface OutOfFoldOptions {
  /** Number of folds k (default 5; cleanlab's default). */
  folds?: number;
  /** Arguments for each fold's fit (epochs, batchSize, ...; verbose defaults to 0). */
  fit?: FitArgs;
  /** Seeds the stratified fold assignment. */
  seed?: number;
  /**
   * Each sample's fold (0..folds-1) instead of the stratified draw: groups that must stay
   * together, or folds that must not move when labels are corrected.
   */
  foldOf?: ArrayLike<number>;
  /** Called after each fold with its index (progress). */
  onFold?: (fold: number) => void;
}

/**
 * Out-of-fold predicted probabilities [n, classes]: stratified k-fold, a fresh model from
 * `makeModel()` (compiled) trained on k-1 folds predicts the held-out fold. The input of
 * confident learning (`findLabelIssues`). y is what the model trains on (integer or one-hot).
 */
export async function outOfFoldProbabilities(
  makeModel: () => Model,
  x: Tensor,
  y: Tensor,
  options: OutOfFoldOptions = {},
): Promise<Tensor> {
  const k = options.folds ?? 5;
  const n = x.shape[0]!;
  if (!Number.isInteger(k) || k < 2 || k > n)
    throw new RangeError(`outOfFoldProbabilities: folds must be an integer in [2, ${n}], got ${k}`);
  const labels = labelsOf('outOfFoldProbabilities', y);
  // Stratified: each class's samples, shuffled, are dealt round-robin to the folds.
  const rng = new Rng(options.seed ?? 0);
  const fold = new Int32Array(n);
  const byClass = new Map<number, number[]>();
  labels.forEach((l, i) => {
    const list = byClass.get(l);
    if (list) list.push(i);
    else byClass.set(l, [i]);
  });
  let next = 0;
  for (const members of byClass.values()) {
    const perm = rng.permutation(members.length);
    for (const p of perm) fold[members[p]!] = next++ % k;
  }
  if (options.foldOf) {
    const given = options.foldOf;
    if (given.length !== n)
      throw new RangeError(
        `outOfFoldProbabilities: foldOf has ${given.length} entries, x has ${n} samples`,
      );
    for (let i = 0; i < n; i++) {
      const f = given[i]!;
      if (!Number.isInteger(f) || f < 0 || f >= k)
        throw new RangeError(
          `outOfFoldProbabilities: foldOf[${i}] = ${f} is not a fold in [0, ${k - 1}]`,
        );
      fold[i] = f;
    }
  }
  let probs: Float32Array | null = null;
  let classes = 0;
  for (let f = 0; f < k; f++) {
    const train = Int32Array.from({ length: n }, (_, i) => i).filter((i) => fold[i] !== f);
    const held = Int32Array.from({ length: n }, (_, i) => i).filter((i) => fold[i] === f);
    const model = makeModel();
    await model.fit(takeRows(x, train, 0, train.length), takeRows(y, train, 0, train.length), {
      verbose: 0,
      ...options.fit,
    });
    const out = model.predict(takeRows(x, held, 0, held.length)) as Tensor;
    if (out.rank !== 2)
      throw new RangeError(
        `outOfFoldProbabilities: the model must output probabilities [batch, classes], got [${out.shape.join(', ')}]`,
      );
    classes = out.shape[1]!;
    probs ??= new Float32Array(n * classes);
    held.forEach((i, r) => {
      probs!.set(out.data.subarray(r * classes, (r + 1) * classes) as Float32Array, i * classes);
    });
    options.onFold?.(f);
  }
  return new Tensor(probs!, [n, classes], 'float32');
}
