import { FBetaScore, type FBetaScoreArgs } from './fbeta-score.js';

/**
 * The F1 score 2 · P · R / (P + R): FBetaScore with beta = 1. yTrue and yPred: [batch, classes].
 * `new F1Score({average: 'macro', threshold: 0.5})`
 */
export class F1Score extends FBetaScore {
  static override className = 'F1Score';

  constructor(args: Omit<FBetaScoreArgs, 'beta'> = {}) {
    super({ ...args, beta: 1 }, 'f1_score');
  }

  /** The options that rebuild this `F1Score` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    const { beta: _beta, ...config } = super.getConfig();
    return config;
  }
}
