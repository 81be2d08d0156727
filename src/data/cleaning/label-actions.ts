import { takeRows } from '../../models/data-adapter.js';
import { DTYPES } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { findLabelIssues, type LabelIssueOptions, type LabelIssues } from './confident-learning.js';
import { checkProbabilities } from './probabilities.js';
import { labelsOf } from './rows.js';

/** Training data after acting on label issues, ready for `model.fit(x, y, { sampleWeight })`. */
export interface CleanedData {
  x: Tensor;
  /** Labels in the form they were given: class ids [n'] or one-hot rows [n', classes]. */
  y: Tensor;
  /** Per-sample weights [n'] (reweightLabels only). */
  sampleWeight?: Tensor;
  /** Row of the original data that each kept sample came from. */
  kept: Int32Array;
  /** Original rows removed. */
  removed: number[];
  /** Original rows whose label was changed. */
  relabelled: number[];
  /** The label issues acted on. */
  issues: LabelIssues;
}

/** Options shared by the three ways to act on label issues. */
export interface LabelActionOptions extends LabelIssueOptions {
  /** Issues already found by `findLabelIssues` on the same probabilities (else found here). */
  issues?: LabelIssues;
}

function prepare(op: string, x: Tensor, y: Tensor, probs: Tensor, options: LabelActionOptions) {
  const n = x.shape[0] ?? 0;
  if (y.shape[0] !== n)
    throw new RangeError(
      `${op}: x [${x.shape.join(', ')}] has ${n} samples but y [${y.shape.join(', ')}] has ${y.shape[0]}`,
    );
  const labels = labelsOf(op, y);
  const { k } = checkProbabilities(op, probs, labels);
  if (y.rank === 2 && y.shape[1] !== k)
    throw new RangeError(
      `${op}: y [${y.shape.join(', ')}] has ${y.shape[1]} classes but probs [${probs.shape.join(', ')}] has ${k}`,
    );
  const issues = options.issues ?? findLabelIssues(probs, labels, options);
  return { n, k, labels, issues };
}

function rows(n: number, drop: Set<number>): Int32Array {
  return Int32Array.from({ length: n }, (_, i) => i).filter((i) => !drop.has(i));
}

/** y with new labels, in y's own form (class ids or one-hot rows). */
function withLabels(y: Tensor, labels: Int32Array, k: number): Tensor {
  if (y.rank !== 2) {
    const ids = DTYPES[y.dtype].create(labels.length);
    labels.forEach((l, i) => {
      ids[i] = l;
    });
    return new Tensor(ids, y.shape, y.dtype);
  }
  const out = DTYPES[y.dtype].create(labels.length * k);
  labels.forEach((l, i) => {
    out[i * k + l] = 1;
  });
  return new Tensor(out, y.shape, y.dtype);
}

/**
 * Prune: removes the samples confident learning flags (cleanlab's prune-by-noise-rate by default:
 * for each given label i and class j ≠ i, the round(n·Q[i][j]) samples with the largest margin
 * p_j - p_i). x [n, ...], y [n] or [n, classes], probs: out-of-fold probabilities [n, classes].
 * @example
 * const { x: xc, y: yc } = pruneLabelIssues(x, y, oofProbs);
 * await model.fit(xc, yc, { epochs: 3 });
 */
export function pruneLabelIssues(
  x: Tensor,
  y: Tensor,
  probs: Tensor,
  options: LabelActionOptions = {},
): CleanedData {
  const { n, issues } = prepare('pruneLabelIssues', x, y, probs, options);
  const kept = rows(n, new Set(issues.indices));
  return {
    x: takeRows(x, kept, 0, kept.length),
    y: takeRows(y, kept, 0, kept.length),
    kept,
    removed: [...issues.indices],
    relabelled: [],
    issues,
  };
}

/** Options of `relabelIssues`. */
export interface RelabelOptions extends LabelActionOptions {
  /** A flagged sample takes its predicted class when that class's probability is >= this (default 0.5). */
  threshold?: number;
  /** What happens to flagged samples below the threshold: kept as labelled (default) or removed. */
  unsure?: 'keep' | 'remove';
}

/**
 * Relabel: each flagged sample whose out-of-fold prediction has probability >= `threshold` gets
 * that predicted class as its label; the other flagged samples are kept or removed (`unsure`).
 * @example
 * const { x: xc, y: yc } = relabelIssues(x, y, oofProbs, { threshold: 0.7 });
 */
export function relabelIssues(
  x: Tensor,
  y: Tensor,
  probs: Tensor,
  options: RelabelOptions = {},
): CleanedData {
  const threshold = options.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold <= 1))
    throw new RangeError(`relabelIssues: threshold must lie in [0, 1], got ${threshold}`);
  const { n, k, labels, issues } = prepare('relabelIssues', x, y, probs, options);
  const next = Int32Array.from(labels);
  const relabelled: number[] = [];
  const removed = new Set<number>();
  for (const i of issues.indices) {
    let arg = 0;
    for (let j = 1; j < k; j++) if (probs.data[i * k + j]! > probs.data[i * k + arg]!) arg = j;
    if (probs.data[i * k + arg]! >= threshold) {
      next[i] = arg;
      relabelled.push(i);
    } else if (options.unsure === 'remove') removed.add(i);
  }
  const kept = rows(n, removed);
  return {
    x: takeRows(x, kept, 0, kept.length),
    y: takeRows(withLabels(y, next, k), kept, 0, kept.length),
    kept,
    removed: [...removed],
    relabelled,
    issues,
  };
}

/** Options of `reweightLabels`. */
export interface ReweightOptions extends LabelActionOptions {
  /**
   * 'keepRatio' (cleanlab's CleanLearning, default): flagged samples are removed and a kept sample
   * labelled i weighs 1 / P(given i | true i) = 1 / (1 - noise rate of class i);
   * 'labelProbability': every sample is kept, weighted by the out-of-fold probability of its label
   * (the chance that it is right), scaled to mean 1.
   */
  method?: 'keepRatio' | 'labelProbability';
}

/**
 * Reweight: sample weights from the estimated label noise, for `fit(x, y, { sampleWeight })`.
 * @example
 * const { x: xc, y: yc, sampleWeight } = reweightLabels(x, y, oofProbs);
 * await model.fit(xc, yc, { epochs: 3, sampleWeight });
 */
export function reweightLabels(
  x: Tensor,
  y: Tensor,
  probs: Tensor,
  options: ReweightOptions = {},
): CleanedData {
  const { n, k, labels, issues } = prepare('reweightLabels', x, y, probs, options);
  const method = options.method ?? 'keepRatio';
  if (method !== 'keepRatio' && method !== 'labelProbability')
    throw new RangeError(
      `reweightLabels: method must be 'keepRatio' or 'labelProbability', got '${method}'`,
    );
  const keepRatio = method === 'keepRatio';
  const kept = keepRatio ? rows(n, new Set(issues.indices)) : rows(n, new Set());
  const weight = new Float32Array(kept.length);
  let total = 0;
  kept.forEach((i, r) => {
    const l = labels[i]!;
    weight[r] = keepRatio
      ? 1 / Math.max(issues.noise.noiseMatrix[l]![l]!, 1e-3)
      : probs.data[i * k + l]!;
    total += weight[r]!;
  });
  if (!keepRatio && total > 0)
    for (let r = 0; r < weight.length; r++) weight[r]! *= kept.length / total;
  return {
    x: takeRows(x, kept, 0, kept.length),
    y: takeRows(y, kept, 0, kept.length),
    sampleWeight: new Tensor(weight, [kept.length], 'float32'),
    kept,
    removed: keepRatio ? [...issues.indices] : [],
    relabelled: [],
    issues,
  };
}
