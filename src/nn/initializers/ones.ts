import { fill } from '../../tensor/create.js';
import { type Initializer, makeInitializer } from './initializer.js';

/** All ones (batch normalization's gamma). `ones()([3], 'float32')` */
export function ones(): Initializer {
  return makeInitializer('Ones', {}, (shape, dtype) => fill(shape, 1, dtype));
}
