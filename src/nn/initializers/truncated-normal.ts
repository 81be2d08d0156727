import { truncatedNormal as sampleTruncated } from '../../random/tensors.js';
import {
  checkSeed,
  type Initializer,
  initializerRng,
  makeInitializer,
  type SeedArgs,
} from './initializer.js';

export interface TruncatedNormalArgs extends SeedArgs {
  mean?: number;
  stddev?: number;
}

/**
 * Normal samples N(mean, stddev²) redrawn until within 2 stddev of the mean; stddev defaults to 0.05.
 * `truncatedNormal({stddev: 0.02})`
 */
export function truncatedNormal(args: TruncatedNormalArgs = {}): Initializer {
  const { mean = 0, stddev = 0.05, seed: seedArg } = args;
  const seed = checkSeed('TruncatedNormal', seedArg);
  if (!(stddev >= 0)) throw new RangeError(`TruncatedNormal: stddev must be >= 0, got ${stddev}`);
  return makeInitializer('TruncatedNormal', { mean, stddev, seed }, (shape, dtype) =>
    sampleTruncated(shape, mean, stddev, { dtype, rng: initializerRng(seed) }),
  );
}
