import type { Initializer, SeedArgs } from './initializer.js';
import { varianceScalingPreset } from './variance-scaling.js';

/**
 * He uniform: U(-limit, limit), limit = sqrt(6 / fanIn).
 * `new Dense(64, {kernelInitializer: heUniform()})`
 */
export function heUniform(args: SeedArgs = {}): Initializer {
  return varianceScalingPreset(
    'HeUniform',
    { scale: 2, mode: 'fanIn', distribution: 'uniform', seed: args.seed },
    false,
  );
}
