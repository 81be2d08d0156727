import { lookupKey, type Spellings } from '../engine/serialization.js';
import {
  type ActivationFn,
  elu,
  exponential,
  gelu,
  hardSigmoid,
  hardSilu,
  leakyRelu,
  linear,
  logSoftmax,
  mish,
  relu,
  relu6,
  selu,
  sigmoid,
  silu,
  softmax,
  softplus,
  softsign,
  tanh,
} from './activations.js';

/**
 * The activation names `getActivation` and the layers' `activation` options accept, in Keras's
 * snake_case and in camelCase ('leaky_relu', 'leakyRelu'). An activation added with
 * `registerActivation` is passed as its function (or its name cast to `ActivationName`).
 */
export type ActivationName = Spellings<
  | 'elu'
  | 'exponential'
  | 'gelu'
  | 'gelu_approximate'
  | 'gelu_new'
  | 'hard_sigmoid'
  | 'hard_silu'
  | 'hard_swish'
  | 'leaky_relu'
  | 'linear'
  | 'log_softmax'
  | 'mish'
  | 'relu'
  | 'relu6'
  | 'selu'
  | 'sigmoid'
  | 'silu'
  | 'softmax'
  | 'softplus'
  | 'softsign'
  | 'swish'
  | 'tanh'
>;

/** What `getActivation` accepts: a name, a function, or nothing (the identity). */
export type ActivationIdentifier = ActivationName | ActivationFn | null | undefined;

const BY_KEY = new Map<string, ActivationFn>();
const NAMES = new Map<ActivationFn, string>();

/**
 * Makes `fn` available to `getActivation` under `name` (any spelling: 'hard_silu', 'hardSilu') and
 * its aliases, and serializable back to `name`.
 */
export function registerActivation(name: string, fn: ActivationFn, aliases: string[] = []): void {
  for (const key of [name, ...aliases]) BY_KEY.set(lookupKey(key), fn);
  NAMES.set(fn, name);
}

// Activations with extra arguments are registered with their Keras defaults.
registerActivation('relu', relu);
registerActivation('relu6', relu6);
registerActivation('leakyRelu', (x) => leakyRelu(x));
registerActivation('elu', (x) => elu(x));
registerActivation('selu', selu);
registerActivation('sigmoid', sigmoid);
registerActivation('hardSigmoid', hardSigmoid);
registerActivation('tanh', tanh);
registerActivation('softmax', (x) => softmax(x));
registerActivation('logSoftmax', (x) => logSoftmax(x));
registerActivation('gelu', (x) => gelu(x));
registerActivation('softplus', softplus);
registerActivation('softsign', softsign);
registerActivation('silu', silu, ['swish']);
registerActivation('hardSilu', hardSilu, ['hardSwish']);
registerActivation('mish', mish);
registerActivation('exponential', exponential);
registerActivation('linear', linear);
// The exported functions with extra arguments serialize to their names too when passed directly.
for (const [fn, name] of [
  [leakyRelu, 'leakyRelu'],
  [elu, 'elu'],
  [softmax, 'softmax'],
  [logSoftmax, 'logSoftmax'],
  [gelu, 'gelu'],
] as const)
  NAMES.set(fn, name);

/**
 * The activation an identifier names ('relu', 'leaky_relu', 'leakyRelu', ...); a function is
 * returned as is, and null/undefined give `linear`. `getActivation('softmax')(logits)`
 */
export function getActivation(identifier: ActivationIdentifier): ActivationFn {
  if (identifier === null || identifier === undefined) return linear;
  if (typeof identifier === 'function') return identifier;
  if (typeof identifier !== 'string') {
    throw new TypeError(
      `getActivation: expected a name or a function, got ${JSON.stringify(identifier)}`,
    );
  }
  const fn = BY_KEY.get(lookupKey(identifier));
  if (!fn) {
    throw new RangeError(
      `Unknown activation '${identifier}'; valid names: ${[...new Set(NAMES.values())].join(', ')}`,
    );
  }
  return fn;
}

/**
 * The name an activation serializes to ('relu'); a custom function must first be registered with
 * `registerActivation`. `serializeActivation(getActivation('swish')) === 'silu'`
 */
export function serializeActivation(fn: ActivationFn): string {
  const name = NAMES.get(fn);
  if (name === undefined) {
    throw new TypeError(
      `serializeActivation: custom activation ${fn.name ? `'${fn.name}' ` : ''}is not registered; call registerActivation(name, fn) first`,
    );
  }
  return name;
}
