import { fill } from '../../tensor/create.js';
import { type Initializer, makeInitializer } from './initializer.js';

/** All zeros; Keras's default bias initializer. `new Dense(8, {biasInitializer: zeros()})` */
export function zeros(): Initializer {
  return makeInitializer('Zeros', {}, (shape, dtype) => fill(shape, 0, dtype));
}
