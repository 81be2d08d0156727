import type { Initializer, SeedArgs } from './initializer.js';
import { varianceScalingPreset } from './variance-scaling.js';

/**
 * LeCun normal: truncated normal with std sqrt(1 / fanIn) (before truncation); suits SELU layers.
 * `new Dense(64, {kernelInitializer: lecunNormal()})`
 */
export function lecunNormal(args: SeedArgs = {}): Initializer {
  return varianceScalingPreset(
    'LecunNormal',
    { scale: 1, mode: 'fanIn', distribution: 'truncatedNormal', seed: args.seed },
    false,
  );
}
