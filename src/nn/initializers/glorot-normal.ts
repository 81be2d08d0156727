import type { Initializer, SeedArgs } from './initializer.js';
import { varianceScalingPreset } from './variance-scaling.js';

/**
 * Glorot (Xavier) normal: truncated normal with std sqrt(2 / (fanIn + fanOut)) (before truncation).
 * `new Dense(64, {kernelInitializer: glorotNormal()})`
 */
export function glorotNormal(args: SeedArgs = {}): Initializer {
  return varianceScalingPreset(
    'GlorotNormal',
    { scale: 1, mode: 'fanAvg', distribution: 'truncatedNormal', seed: args.seed },
    false,
  );
}
