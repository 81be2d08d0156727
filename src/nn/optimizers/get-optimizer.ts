import { Adam } from './adam.js';
import { AdamW } from './adamw.js';
import { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

const OPTIMIZERS = new Map<string, () => Optimizer>([
  ['adam', () => new Adam()],
  ['adamw', () => new AdamW()],
  ['rmsprop', () => new RMSprop()],
  ['sgd', () => new SGD()],
]);

/** An optimizer name `compile({ optimizer })` and `getOptimizer` accept (Keras's defaults). */
export type OptimizerName =
  | 'adam'
  | 'adamw'
  | 'rmsprop'
  | 'sgd'
  | 'Adam'
  | 'AdamW'
  | 'RMSprop'
  | 'SGD';

/** An optimizer as `compile` and `getOptimizer` take it: its name or the optimizer itself. */
export type OptimizerIdentifier = OptimizerName | Optimizer;

/**
 * An optimizer from its name (case-insensitive, Keras's defaults) or the optimizer itself.
 * `getOptimizer('adam')`
 */
export function getOptimizer(identifier: OptimizerIdentifier): Optimizer {
  if (identifier instanceof Optimizer) return identifier;
  const make = OPTIMIZERS.get(String(identifier).toLowerCase());
  if (!make) {
    throw new Error(
      `Unknown optimizer '${identifier}'. Known: ${[...OPTIMIZERS.keys()].sort().join(', ')}`,
    );
  }
  return make();
}
