import type { Initializer, SeedArgs } from './initializer.js';
import { varianceScalingPreset } from './variance-scaling.js';

/**
 * LeCun uniform: U(-limit, limit), limit = sqrt(3 / fanIn).
 * `new Dense(64, {kernelInitializer: lecunUniform()})`
 */
export function lecunUniform(args: SeedArgs = {}): Initializer {
  return varianceScalingPreset(
    'LecunUniform',
    { scale: 1, mode: 'fanIn', distribution: 'uniform', seed: args.seed },
    false,
  );
}
