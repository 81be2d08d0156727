import type { WeightRegularizer } from '../engine/layer.js';
import { type Factory, FactoryRegistry } from '../engine/serialization.js';
import { l1 } from './l1.js';
import { l1l2 } from './l1l2.js';
import { l2 } from './l2.js';
import type { RegularizerIdentifier } from './regularizer.js';

const REGULARIZERS = new FactoryRegistry<WeightRegularizer>('regularizer', 'getRegularizer');

/** Makes a regularizer available to `getRegularizer` under `name` (any spelling) and its aliases. */
export function registerRegularizer(
  name: string,
  make: Factory<WeightRegularizer>,
  aliases: string[] = [],
): void {
  REGULARIZERS.register(name, make, aliases);
}

registerRegularizer('l1', (c) => l1(c['l1'] as number | undefined));
registerRegularizer('l2', (c) => l2(c['l2'] as number | undefined));
// By name alone 'l1l2' means 0.01 for both (Keras 2's l1_l2(); Keras 3's bare L1L2() is a no-op);
// from a config, the config's factors.
registerRegularizer('l1l2', (c) =>
  l1l2(Object.keys(c).length === 0 ? { l1: 0.01, l2: 0.01 } : (c as { l1?: number; l2?: number })),
);

/**
 * The regularizer an identifier names: 'l1', 'l2' (factor 0.01), 'l1l2' (or 'l1_l2', 'L1L2'; 0.01
 * each), a serialized `{className, config}`, or a function (returned as is); null/undefined → null.
 * `getRegularizer({className: 'L2', config: {l2: 1e-4}})`
 */
export function getRegularizer(
  identifier: RegularizerIdentifier | null | undefined,
): WeightRegularizer | null {
  if (identifier === null || identifier === undefined) return null;
  return REGULARIZERS.resolve(identifier);
}
