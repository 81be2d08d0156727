import { randomUniform as sampleUniform } from '../../random/tensors.js';
import {
  checkSeed,
  type Initializer,
  initializerRng,
  makeInitializer,
  type SeedArgs,
} from './initializer.js';

export interface RandomUniformArgs extends SeedArgs {
  minval?: number;
  maxval?: number;
}

/** Uniform samples in [minval, maxval), by default [-0.05, 0.05). `randomUniform({minval: 0, maxval: 1})` */
export function randomUniform(args: RandomUniformArgs = {}): Initializer {
  const { minval = -0.05, maxval = 0.05, seed: seedArg } = args;
  const seed = checkSeed('RandomUniform', seedArg);
  if (!(maxval >= minval))
    throw new RangeError(`RandomUniform: maxval (${maxval}) must be >= minval (${minval})`);
  return makeInitializer('RandomUniform', { minval, maxval, seed }, (shape, dtype) =>
    sampleUniform(shape, minval, maxval, { dtype, rng: initializerRng(seed) }),
  );
}
