import { fill } from '../../tensor/create.js';
import { type Initializer, makeInitializer } from './initializer.js';

/** Every element equal to `value`. `constant(0.1)([4], 'float32')` */
export function constant(value = 0): Initializer {
  if (typeof value !== 'number' || Number.isNaN(value))
    throw new TypeError(`Constant: value must be a number, got ${String(value)}`);
  return makeInitializer('Constant', { value }, (shape, dtype) => fill(shape, value, dtype));
}
