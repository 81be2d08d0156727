import { getRng, Rng } from '../../random/rng.js';
import type { DType } from '../../tensor/dtype.js';
import type { Shape } from '../../tensor/shape.js';
import type { WeightInitializer } from '../engine/layer.js';
import type { SerializedObject, Spellings } from '../engine/serialization.js';

/** A built-in initializer: a `WeightInitializer` that knows its Keras class name and config. */
export interface Initializer extends WeightInitializer {
  readonly className: string;
  /** The options that rebuild this initializer by its `className` (what serialization saves). */
  getConfig(): Record<string, unknown>;
}

/**
 * The initializer names `getInitializer` and the layers' `*Initializer` options accept, in Keras's
 * snake_case, camelCase and class-name spellings ('glorot_uniform', 'glorotUniform',
 * 'GlorotUniform'). One added with `registerInitializer` is passed as `{className, config}`.
 */
export type InitializerName = Spellings<
  | 'constant'
  | 'glorot_normal'
  | 'glorot_uniform'
  | 'he_normal'
  | 'he_uniform'
  | 'identity'
  | 'lecun_normal'
  | 'lecun_uniform'
  | 'normal'
  | 'one'
  | 'ones'
  | 'orthogonal'
  | 'random_normal'
  | 'random_uniform'
  | 'truncated_normal'
  | 'uniform'
  | 'variance_scaling'
  | 'zero'
  | 'zeros'
>;

/** What `getInitializer` accepts: a Keras name, a function, or a serialized `{className, config}`. */
export type InitializerIdentifier = InitializerName | WeightInitializer | SerializedObject;

/** The optional seed of a random initializer: a seeded one gives the same values on every call. */
export interface SeedArgs {
  seed?: number | null;
}

/** Attaches the Keras class name and config to an initializer function. */
export function makeInitializer(
  className: string,
  config: Record<string, unknown>,
  fn: WeightInitializer,
): Initializer {
  const frozen = { ...config };
  // A fresh wrapper, so a function passed in is never mutated.
  const init = (shape: Shape, dtype: DType) => fn(shape, dtype);
  return Object.assign(init, { className, getConfig: () => ({ ...frozen }) });
}

/** Validates an optional seed: an integer or null. */
export function checkSeed(className: string, seed: number | null | undefined): number | null {
  if (seed === null || seed === undefined) return null;
  if (!Number.isInteger(seed))
    throw new TypeError(`${className}: seed must be an integer, got ${seed}`);
  return seed;
}

/**
 * The generator a random initializer draws from: a fresh one seeded with `seed` per call (so a
 * seeded initializer is reproducible, as Keras's with an integer seed), else the global one.
 */
export function initializerRng(seed: number | null): Rng {
  return seed === null ? getRng() : new Rng(seed);
}

/** `{className, config}` of an initializer; custom functions need `className` and `getConfig`. */
export function serializeInitializer(init: WeightInitializer): SerializedObject {
  const className = (init as Partial<Initializer>).className;
  if (typeof className !== 'string') {
    throw new TypeError(
      'serializeInitializer: a custom initializer function cannot be serialized; give it a className and getConfig',
    );
  }
  return { className, config: init.getConfig?.() ?? {} };
}
