import type { WeightRegularizer } from '../engine/layer.js';
import { isSerializedObject, lookupKey } from '../engine/serialization.js';
import { l1 } from './l1.js';
import { l1l2 } from './l1l2.js';
import { l2 } from './l2.js';
import type { RegularizerIdentifier } from './regularizer.js';

type Factory = (config: Record<string, unknown>) => WeightRegularizer;

const FACTORIES = new Map<string, { name: string; make: Factory }>();

/** Makes a regularizer available to `getRegularizer` under `name` (any spelling) and its aliases. */
export function registerRegularizer(name: string, make: Factory, aliases: string[] = []): void {
  for (const key of [name, ...aliases]) FACTORIES.set(lookupKey(key), { name, make });
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
  if (typeof identifier === 'function') return identifier;
  const [name, config] =
    typeof identifier === 'string'
      ? [identifier, {}]
      : isSerializedObject(identifier)
        ? [identifier.className, identifier.config ?? {}]
        : [null, {}];
  if (name === null) {
    throw new TypeError(
      `getRegularizer: expected a name, a function or {className, config}, got ${JSON.stringify(identifier)}`,
    );
  }
  const entry = FACTORIES.get(lookupKey(name));
  if (!entry) {
    const valid = [...new Set([...FACTORIES.values()].map((e) => e.name))].join(', ');
    throw new RangeError(`Unknown regularizer '${name}'; valid names: ${valid}`);
  }
  return entry.make(config);
}
