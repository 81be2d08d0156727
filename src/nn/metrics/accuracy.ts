import { MeanMetricWrapper } from './mean-metric-wrapper.js';
import type { Aligned } from './shapes.js';

/** How often predictions equal labels exactly. `new Accuracy()` on [1, 2, 3] vs [0, 2, 3] gives 2/3. */
export class Accuracy extends MeanMetricWrapper {
  static override className = 'Accuracy';

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'accuracy');
  }

  protected sampleValue({ t, p, perSample }: Aligned, s: number): number {
    let hits = 0;
    for (let j = s * perSample; j < (s + 1) * perSample; j++) if (t[j] === p[j]) hits++;
    return hits / perSample;
  }
}
