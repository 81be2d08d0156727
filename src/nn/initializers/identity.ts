import { allocate } from '../../tensor/dtype.js';
import { formatShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { type Initializer, makeInitializer } from './initializer.js';

/** `gain` times the (possibly rectangular) identity matrix; 2-D weights only. `identity({gain: 1})` */
export function identity(args: { gain?: number } = {}): Initializer {
  const { gain = 1 } = args;
  return makeInitializer('Identity', { gain }, (shape, dtype) => {
    if (shape.length !== 2)
      throw new RangeError(`Identity: the weight must be 2-D, got ${formatShape(shape)}`);
    const [rows, cols] = shape as [number, number];
    const out = allocate(dtype, rows * cols);
    for (let i = 0; i < Math.min(rows, cols); i++) out[i * cols + i] = gain;
    return new Tensor(out, shape, dtype);
  });
}
