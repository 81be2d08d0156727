import type { Initializer, SeedArgs } from './initializer.js';
import { varianceScalingPreset } from './variance-scaling.js';

/**
 * He normal: truncated normal with std sqrt(2 / fanIn) (before truncation); suits ReLU layers.
 * `new Dense(64, {kernelInitializer: heNormal()})`
 */
export function heNormal(args: SeedArgs = {}): Initializer {
  return varianceScalingPreset(
    'HeNormal',
    { scale: 2, mode: 'fanIn', distribution: 'truncatedNormal', seed: args.seed },
    false,
  );
}
