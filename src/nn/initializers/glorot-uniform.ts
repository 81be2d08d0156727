import type { Initializer, SeedArgs } from './initializer.js';
import { varianceScalingPreset } from './variance-scaling.js';

/**
 * Glorot (Xavier) uniform: U(-limit, limit), limit = sqrt(6 / (fanIn + fanOut)). Keras's default kernel initializer.
 * `new Dense(64, {kernelInitializer: glorotUniform()})`
 */
export function glorotUniform(args: SeedArgs = {}): Initializer {
  return varianceScalingPreset(
    'GlorotUniform',
    { scale: 1, mode: 'fanAvg', distribution: 'uniform', seed: args.seed },
    false,
  );
}
