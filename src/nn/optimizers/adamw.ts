import { Adam, type AdamArgs } from './adam.js';

/**
 * Adam with decoupled weight decay (Loshchilov and Hutter): before each Adam step,
 * w -= lr · weightDecay · w, except for variables excluded with `excludeFromWeightDecay`.
 * `const opt = new AdamW({weightDecay: 0.01}); opt.excludeFromWeightDecay({varNames: ['bias']})`
 */
export class AdamW extends Adam {
  static override className = 'AdamW';

  constructor(args: AdamArgs = {}) {
    super({ ...args, weightDecay: args.weightDecay ?? 0.004 }, 'AdamW');
  }
}
