import type { Tensor } from '../../tensor/tensor.js';
import { estimateNoise, type NoiseEstimate } from './noise-matrix.js';
import { checkProbabilities } from './probabilities.js';

/**
 * Confident learning (Northcutt, Jiang & Chuang 2021; cleanlab's find_label_issues).
 * Given out-of-sample predicted probabilities p [n, k] and the given labels:
 * 1. per-class thresholds t_j = mean of p_j over the samples labelled j (mean self-confidence);
 * 2. the confident joint C[i][j]: samples labelled i whose p_j >= t_j (argmax among such j);
 * 3. calibrated so each row sums to the count of label i, and the estimated joint Q = C / n;
 * 4. label issues, by 'prune_by_noise_rate' (cleanlab's default): for each i ≠ j, the
 *    round(n·Q[i][j]) samples labelled i with the largest margin p_j - p_i; or by
 *    'confident_learning': the off-diagonal members of C;
 * 5. ranked by normalized margin p_label - max_{j≠label} p_j (most suspicious first).
 */
export interface LabelIssues {
  /** Suspect sample indices, most suspicious first. */
  indices: number[];
  /** The label each suspect most likely should have. */
  suggested: number[];
  /** Normalized margin of each suspect (negative: another class is more likely). */
  margin: number[];
  /** Per-class thresholds t_j. */
  thresholds: Float64Array;
  /** The confident joint C[given][true], counts. */
  confidentJoint: number[][];
  /** Estimated fraction of labels that are wrong. */
  noiseRate: number;
  /** The whole noise estimate: calibrated joint, noise matrix, prior. */
  noise: NoiseEstimate;
}

/** Options of `findLabelIssues`: cleanlab's filter method. */
export interface LabelIssueOptions {
  filterBy?: 'prune_by_noise_rate' | 'confident_learning';
}

/**
 * Confident learning (cleanlab's `find_label_issues`): the samples whose given label is likely
 * wrong, from out-of-fold probabilities `[samples, classes]`.
 */
export function findLabelIssues(
  probs: Tensor,
  labels: ArrayLike<number>,
  options: LabelIssueOptions = {},
): LabelIssues {
  const { n, k, labels: given } = checkProbabilities('findLabelIssues', probs, labels);
  const noise = estimateNoise(probs, given);
  const { thresholds, confidentJoint: joint, calibratedJoint: calibrated } = noise;
  const p = (i: number, j: number) => probs.data[i * k + j]!;
  const trueOf = noise.confidentClass;
  const margin = (i: number): [number, number] => {
    const l = given[i]!;
    let other = -1;
    for (let j = 0; j < k; j++) if (j !== l && (other < 0 || p(i, j) > p(i, other))) other = j;
    return [p(i, l) - (other >= 0 ? p(i, other) : 0), other];
  };

  const flagged = new Set<number>();
  if ((options.filterBy ?? 'prune_by_noise_rate') === 'confident_learning') {
    for (let i = 0; i < n; i++) if (trueOf[i]! >= 0 && trueOf[i] !== given[i]) flagged.add(i);
  } else {
    for (let gi = 0; gi < k; gi++) {
      const members: number[] = [];
      for (let i = 0; i < n; i++) if (given[i] === gi) members.push(i);
      for (let tj = 0; tj < k; tj++) {
        if (tj === gi) continue;
        const prune = Math.round(calibrated[gi]![tj]!);
        if (prune === 0) continue;
        const ranked = members
          .map((i) => [i, p(i, tj) - p(i, gi)] as const)
          .sort((a, b) => b[1] - a[1])
          .slice(0, prune);
        for (const [i] of ranked) flagged.add(i);
      }
    }
  }
  // As cleanlab does: a sample the model predicts as its given label is not an issue.
  for (const i of [...flagged]) {
    let arg = 0;
    for (let j = 1; j < k; j++) if (p(i, j) > p(i, arg)) arg = j;
    if (arg === given[i]) flagged.delete(i);
  }
  const ranked = [...flagged].map((i) => [i, ...margin(i)] as const).sort((a, b) => a[1] - b[1]);
  return {
    indices: ranked.map((r) => r[0]),
    margin: ranked.map((r) => r[1]),
    suggested: ranked.map((r) => r[2]),
    thresholds,
    confidentJoint: joint,
    noiseRate: noise.noiseRate,
    noise,
  };
}
