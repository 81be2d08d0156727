import type { Tensor } from '../../tensor/tensor.js';
import { checkProbabilities } from './probabilities.js';

/** The confident-learning estimate of label noise (Northcutt, Jiang & Chuang 2021). */
export interface NoiseEstimate {
  /** Per-class thresholds t_j: mean p_j over the samples labelled j. */
  thresholds: Float64Array;
  /** The confident joint C[given][true], counts. */
  confidentJoint: number[][];
  /** C calibrated: row i sums to the number of samples labelled i; the total is n. */
  calibratedJoint: number[][];
  /** The estimated joint Q[given][true] = calibrated / n (sums to 1). */
  joint: number[][];
  /** The noise transition matrix P(given = i | true = j), indexed [i][j]; each column sums to 1. */
  noiseMatrix: number[][];
  /** The estimated prior of the true labels P(true = j). */
  prior: number[];
  /** Samples per given label. */
  labelCounts: number[];
  /** Each sample's confident true class (the argmax among classes above threshold), or -1. */
  confidentClass: Int32Array;
  /** Estimated fraction of wrong labels: 1 - trace(Q). */
  noiseRate: number;
}

/**
 * Confident learning's noise estimate (cleanlab's `estimate_joint` and `estimate_noise_matrices`)
 * from out-of-fold probabilities `probs` [samples, classes] and the given labels [samples]:
 * C[i][j] counts samples labelled i whose p_j >= t_j (argmax among such j); C is calibrated to the
 * label counts; Q = C / n; prior_j = Σ_i Q[i][j]; noise matrix P(given i | true j) = Q[i][j] / prior_j.
 * @example
 * const { noiseMatrix, prior } = estimateNoise(oofProbs, labels);
 */
export function estimateNoise(probs: Tensor, labels: ArrayLike<number>): NoiseEstimate {
  const { n, k, labels: given } = checkProbabilities('estimateNoise', probs, labels);
  const p = (i: number, j: number) => probs.data[i * k + j]!;
  const labelCounts = new Array<number>(k).fill(0);
  const thresholds = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    labelCounts[given[i]!]!++;
    thresholds[given[i]!]! += p(i, given[i]!);
  }
  for (let j = 0; j < k; j++)
    thresholds[j] = labelCounts[j]! > 0 ? thresholds[j]! / labelCounts[j]! : 1;

  const confidentJoint = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const confidentClass = new Int32Array(n).fill(-1);
  for (let i = 0; i < n; i++) {
    let best = -1;
    for (let j = 0; j < k; j++)
      if (p(i, j) >= thresholds[j]! - 1e-6 && (best < 0 || p(i, j) > p(i, best))) best = j;
    confidentClass[i] = best;
    if (best >= 0) confidentJoint[given[i]!]![best]!++;
  }
  // A given label with no confident sample is taken as clean (its count on the diagonal).
  const calibratedJoint = confidentJoint.map((row, i) => {
    const s = row.reduce((a, b) => a + b, 0);
    return row.map((c, j) => (s > 0 ? (c / s) * labelCounts[i]! : i === j ? labelCounts[i]! : 0));
  });
  const joint = calibratedJoint.map((row) => row.map((c) => (n > 0 ? c / n : 0)));
  const prior = Array.from({ length: k }, (_, j) => joint.reduce((s, row) => s + row[j]!, 0));
  const noiseMatrix = joint.map((row, i) =>
    row.map((q, j) => (prior[j]! > 0 ? q / prior[j]! : i === j ? 1 : 0)),
  );
  let trace = 0;
  for (let j = 0; j < k; j++) trace += joint[j]![j]!;
  return {
    thresholds,
    confidentJoint,
    calibratedJoint,
    joint,
    noiseMatrix,
    prior,
    labelCounts,
    confidentClass,
    noiseRate: n > 0 ? 1 - trace : 0,
  };
}
