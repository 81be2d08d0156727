import type { WeightInitializer } from '../engine/layer.js';
import { isSerializedObject, lookupKey } from '../engine/serialization.js';
import { constant } from './constant.js';
import { glorotNormal } from './glorot-normal.js';
import { glorotUniform } from './glorot-uniform.js';
import { heNormal } from './he-normal.js';
import { heUniform } from './he-uniform.js';
import { identity } from './identity.js';
import type { InitializerIdentifier } from './initializer.js';
import { lecunNormal } from './lecun-normal.js';
import { lecunUniform } from './lecun-uniform.js';
import { ones } from './ones.js';
import { orthogonal } from './orthogonal.js';
import { randomNormal } from './random-normal.js';
import { randomUniform } from './random-uniform.js';
import { truncatedNormal } from './truncated-normal.js';
import { varianceScaling } from './variance-scaling.js';
import { zeros } from './zeros.js';

type Factory = (config: Record<string, unknown>) => WeightInitializer;

/** Canonical camelCase names (what errors list) and the factory each builds from a config. */
const FACTORIES = new Map<string, { name: string; make: Factory }>();

/** Makes an initializer available to `getInitializer` under `name` (any spelling) and its aliases. */
export function registerInitializer(name: string, make: Factory, aliases: string[] = []): void {
  for (const key of [name, ...aliases]) FACTORIES.set(lookupKey(key), { name, make });
}

registerInitializer('glorotUniform', (c) => glorotUniform(c));
registerInitializer('glorotNormal', (c) => glorotNormal(c));
registerInitializer('heNormal', (c) => heNormal(c));
registerInitializer('heUniform', (c) => heUniform(c));
registerInitializer('lecunNormal', (c) => lecunNormal(c));
registerInitializer('lecunUniform', (c) => lecunUniform(c));
registerInitializer('varianceScaling', (c) => varianceScaling(c));
registerInitializer('zeros', () => zeros(), ['zero']);
registerInitializer('ones', () => ones(), ['one']);
registerInitializer('constant', (c) => constant(c['value'] as number | undefined));
registerInitializer('randomNormal', (c) => randomNormal(c), ['normal']);
registerInitializer('randomUniform', (c) => randomUniform(c), ['uniform']);
registerInitializer('truncatedNormal', (c) => truncatedNormal(c));
registerInitializer('orthogonal', (c) => orthogonal(c));
registerInitializer('identity', (c) => identity(c));

/**
 * The initializer an identifier names: a Keras name in camelCase, snake_case or as a class name
 * ('glorotUniform', 'glorot_uniform', 'GlorotUniform'), a serialized `{className, config}`, or a
 * function (returned as is). `getInitializer('he_normal')`
 */
export function getInitializer(identifier: InitializerIdentifier): WeightInitializer {
  if (typeof identifier === 'function') return identifier;
  const [name, config] =
    typeof identifier === 'string'
      ? [identifier, {}]
      : isSerializedObject(identifier)
        ? [identifier.className, identifier.config ?? {}]
        : [null, {}];
  if (name === null) {
    throw new TypeError(
      `getInitializer: expected a name, a function or {className, config}, got ${JSON.stringify(identifier)}`,
    );
  }
  const entry = FACTORIES.get(lookupKey(name));
  if (!entry) {
    const valid = [...new Set([...FACTORIES.values()].map((e) => e.name))].join(', ');
    throw new RangeError(`Unknown initializer '${name}'; valid names: ${valid}`);
  }
  return entry.make(config);
}
