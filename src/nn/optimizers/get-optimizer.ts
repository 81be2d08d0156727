import { Adadelta } from './adadelta.js';
import { Adafactor } from './adafactor.js';
import { Adagrad } from './adagrad.js';
import { Adam } from './adam.js';
import { Adamax } from './adamax.js';
import { AdamW } from './adamw.js';
import { Ftrl } from './ftrl.js';
import { Lion } from './lion.js';
import { Nadam } from './nadam.js';
import { Optimizer } from './optimizer.js';
import { RMSprop } from './rmsprop.js';
import { SGD } from './sgd.js';

const OPTIMIZERS = new Map<string, () => Optimizer>([
  ['adadelta', () => new Adadelta()],
  ['adafactor', () => new Adafactor()],
  ['adagrad', () => new Adagrad()],
  ['adam', () => new Adam()],
  ['adamax', () => new Adamax()],
  ['adamw', () => new AdamW()],
  ['ftrl', () => new Ftrl()],
  ['lion', () => new Lion()],
  ['nadam', () => new Nadam()],
  ['rmsprop', () => new RMSprop()],
  ['sgd', () => new SGD()],
]);

/** An optimizer name `compile({ optimizer })` and `getOptimizer` accept (Keras's defaults). */
export type OptimizerName =
  | 'adadelta'
  | 'adafactor'
  | 'adagrad'
  | 'adam'
  | 'adamax'
  | 'adamw'
  | 'ftrl'
  | 'lion'
  | 'nadam'
  | 'rmsprop'
  | 'sgd'
  | 'Adadelta'
  | 'Adafactor'
  | 'Adagrad'
  | 'Adam'
  | 'Adamax'
  | 'AdamW'
  | 'Ftrl'
  | 'Lion'
  | 'Nadam'
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
