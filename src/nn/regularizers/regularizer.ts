import type { Tensor } from '../../tensor/tensor.js';
import type { WeightRegularizer } from '../engine/layer.js';
import type { SerializedObject } from '../engine/serialization.js';

/** A built-in regularizer: a `WeightRegularizer` that knows its Keras class name and config. */
export interface Regularizer extends WeightRegularizer {
  readonly className: string;
  /** The options that rebuild this regularizer by its `className` (what serialization saves). */
  getConfig(): Record<string, unknown>;
}

/** What `getRegularizer` accepts: a Keras name, a function, or a serialized `{className, config}`. */
export type RegularizerIdentifier = string | WeightRegularizer | SerializedObject;

/** Attaches the Keras class name and config to a penalty function. */
export function makeRegularizer(
  className: string,
  config: Record<string, unknown>,
  fn: WeightRegularizer,
): Regularizer {
  const frozen = { ...config };
  const penalty = (weight: Tensor) => fn(weight);
  return Object.assign(penalty, { className, getConfig: () => ({ ...frozen }) });
}

/** Checks a penalty factor: a finite number >= 0. */
export function checkFactor(className: string, arg: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value))
    throw new RangeError(`${className}: ${arg} must be a finite number >= 0, got ${String(value)}`);
  return value;
}

/** `{className, config}` of a regularizer; custom functions need `className` and `getConfig`. */
export function serializeRegularizer(reg: WeightRegularizer): SerializedObject {
  const className = (reg as Partial<Regularizer>).className;
  if (typeof className !== 'string') {
    throw new TypeError(
      'serializeRegularizer: a custom regularizer function cannot be serialized; give it a className and getConfig',
    );
  }
  return { className, config: reg.getConfig?.() ?? {} };
}
