import { MeanMetricWrapper } from './mean-metric-wrapper.js';
import type { Aligned } from './shapes.js';

/**
 * How often (yPred > threshold) equals the 0/1 label. yTrue and yPred: [batch, k] or [batch]
 * against [batch, 1]. `new BinaryAccuracy({threshold: 0.5})`
 */
export class BinaryAccuracy extends MeanMetricWrapper {
  static override className = 'BinaryAccuracy';
  readonly threshold: number;

  constructor(args: { threshold?: number; name?: string } = {}) {
    super(args.name ?? 'binary_accuracy');
    this.threshold = args.threshold ?? 0.5;
  }

  protected sampleValue({ t, p, perSample }: Aligned, s: number): number {
    let hits = 0;
    for (let j = s * perSample; j < (s + 1) * perSample; j++) {
      if (t[j] === (p[j]! > this.threshold ? 1 : 0)) hits++;
    }
    return hits / perSample;
  }

  /**
   * The options that rebuild this `BinaryAccuracy` with `fromConfig` (what serialization saves).
   */
  override getConfig(): Record<string, unknown> {
    return { name: this.name, threshold: this.threshold };
  }
}
