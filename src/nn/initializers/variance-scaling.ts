import { randomNormal, randomUniform, truncatedNormal } from '../../random/tensors.js';
import type { Shape } from '../../tensor/shape.js';
import { lookupKey } from '../engine/serialization.js';
import {
  checkSeed,
  type Initializer,
  initializerRng,
  makeInitializer,
  type SeedArgs,
} from './initializer.js';

/** Which fan scales the variance: the inputs, the outputs, or their mean. */
export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';
/**
 * The distribution the values are drawn from (truncated normal, normal, or uniform) at the scaled
 * variance.
 */
export type VarianceDistribution = 'truncatedNormal' | 'untruncatedNormal' | 'uniform';

export interface VarianceScalingArgs extends SeedArgs {
  scale?: number;
  /** 'fanIn' | 'fanOut' | 'fanAvg' (Keras's snake_case spellings are accepted too). */
  mode?: FanMode | string;
  /** 'truncatedNormal' | 'untruncatedNormal' | 'uniform' ('normal' means truncatedNormal, as in Keras). */
  distribution?: VarianceDistribution | string;
}

/** Std of a standard normal truncated to [-2, 2]: dividing by it restores unit variance. */
const TRUNCATED_STD = 0.87962566103423978;

/**
 * Keras's fans: a dense kernel [in, out] has fanIn = in, fanOut = out; a conv kernel
 * [...receptive field, in, out] multiplies both by the receptive field size.
 */
export function computeFans(shape: Shape): { fanIn: number; fanOut: number } {
  if (shape.length === 0) return { fanIn: 1, fanOut: 1 };
  if (shape.length === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  if (shape.length === 2) return { fanIn: shape[0]!, fanOut: shape[1]! };
  let receptive = 1;
  for (const d of shape.slice(0, -2)) receptive *= d;
  return { fanIn: shape.at(-2)! * receptive, fanOut: shape.at(-1)! * receptive };
}

const MODES: Record<string, FanMode> = { fanin: 'fanIn', fanout: 'fanOut', fanavg: 'fanAvg' };
const DISTRIBUTIONS: Record<string, VarianceDistribution> = {
  truncatednormal: 'truncatedNormal',
  normal: 'truncatedNormal',
  untruncatednormal: 'untruncatedNormal',
  uniform: 'uniform',
};

/**
 * Samples with variance scale / n, n the fan chosen by `mode`: a truncated normal with
 * std sqrt(scale / n) / 0.8796..., a normal with std sqrt(scale / n), or uniform in ±sqrt(3 scale / n).
 * `varianceScaling({scale: 2, mode: 'fanIn'})([3, 3, 16, 32], 'float32')`
 */
export function varianceScaling(args: VarianceScalingArgs = {}): Initializer {
  return varianceScalingPreset('VarianceScaling', args, true);
}

/** The shared body of VarianceScaling and its named presets (glorot, he, lecun). */
export function varianceScalingPreset(
  className: string,
  args: VarianceScalingArgs,
  fullConfig: boolean,
): Initializer {
  const scale = args.scale ?? 1;
  if (!(scale > 0)) throw new RangeError(`${className}: scale must be > 0, got ${scale}`);
  const mode = MODES[lookupKey(args.mode ?? 'fanIn')];
  if (!mode)
    throw new RangeError(
      `${className}: mode must be 'fanIn', 'fanOut' or 'fanAvg', got '${args.mode}'`,
    );
  const distribution = DISTRIBUTIONS[lookupKey(args.distribution ?? 'truncatedNormal')];
  if (!distribution) {
    throw new RangeError(
      `${className}: distribution must be 'truncatedNormal', 'untruncatedNormal' or 'uniform', got '${args.distribution}'`,
    );
  }
  const seed = checkSeed(className, args.seed);
  const config = fullConfig ? { scale, mode, distribution, seed } : { seed };
  return makeInitializer(className, config, (shape, dtype) => {
    const { fanIn, fanOut } = computeFans(shape);
    const n = mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const s = scale / Math.max(1, n);
    const rng = initializerRng(seed);
    if (distribution === 'truncatedNormal')
      return truncatedNormal(shape, 0, Math.sqrt(s) / TRUNCATED_STD, { dtype, rng });
    if (distribution === 'untruncatedNormal')
      return randomNormal(shape, 0, Math.sqrt(s), { dtype, rng });
    const limit = Math.sqrt(3 * s);
    return randomUniform(shape, -limit, limit, { dtype, rng });
  });
}
