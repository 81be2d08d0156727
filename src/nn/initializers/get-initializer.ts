import type { WeightInitializer } from '../engine/layer.js';
import { type Factory, FactoryRegistry } from '../engine/serialization.js';
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

const INITIALIZERS = new FactoryRegistry<WeightInitializer>('initializer', 'getInitializer');

/** Makes an initializer available to `getInitializer` under `name` (any spelling) and its aliases. */
export function registerInitializer(
  name: string,
  make: Factory<WeightInitializer>,
  aliases: string[] = [],
): void {
  INITIALIZERS.register(name, make, aliases);
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
  return INITIALIZERS.resolve(identifier);
}
