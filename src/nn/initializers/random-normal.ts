import { randomNormal as sampleNormal } from '../../random/tensors.js';
import {
  checkSeed,
  type Initializer,
  initializerRng,
  makeInitializer,
  type SeedArgs,
} from './initializer.js';

export interface RandomNormalArgs extends SeedArgs {
  mean?: number;
  stddev?: number;
}

/** Normal samples N(mean, stddev²), by default N(0, 0.05²). `randomNormal({stddev: 0.01})` */
export function randomNormal(args: RandomNormalArgs = {}): Initializer {
  const { mean = 0, stddev = 0.05, seed: seedArg } = args;
  const seed = checkSeed('RandomNormal', seedArg);
  if (!(stddev >= 0)) throw new RangeError(`RandomNormal: stddev must be >= 0, got ${stddev}`);
  return makeInitializer('RandomNormal', { mean, stddev, seed }, (shape, dtype) =>
    sampleNormal(shape, mean, stddev, { dtype, rng: initializerRng(seed) }),
  );
}
