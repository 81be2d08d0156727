import { allocate } from '../../tensor/dtype.js';
import { formatShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import {
  checkSeed,
  type Initializer,
  initializerRng,
  makeInitializer,
  type SeedArgs,
} from './initializer.js';

export interface OrthogonalArgs extends SeedArgs {
  gain?: number;
}

/**
 * A random orthogonal matrix times `gain` (the Q of the QR decomposition of a normal matrix, made
 * unique by a positive R diagonal), viewed as [prod(shape[:-1]), shape[-1]]. `orthogonal({gain: 1})`
 */
export function orthogonal(args: OrthogonalArgs = {}): Initializer {
  const { gain = 1, seed: seedArg } = args;
  const seed = checkSeed('Orthogonal', seedArg);
  return makeInitializer('Orthogonal', { gain, seed }, (shape, dtype) => {
    if (shape.length < 2) {
      throw new RangeError(
        `Orthogonal: the weight must be at least two-dimensional, got ${formatShape(shape)}`,
      );
    }
    const cols = shape.at(-1)!;
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const m = Math.max(rows, cols);
    const n = Math.min(rows, cols);
    const rng = initializerRng(seed);
    // q holds n columns of length m (column-major): modified Gram-Schmidt on a normal matrix.
    const q = new Float64Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) q[j * m + i] = rng.normal();
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < j; k++) {
        let dot = 0;
        for (let i = 0; i < m; i++) dot += q[k * m + i]! * q[j * m + i]!;
        for (let i = 0; i < m; i++) q[j * m + i]! -= dot * q[k * m + i]!;
      }
      let norm = 0;
      for (let i = 0; i < m; i++) norm += q[j * m + i]! ** 2;
      norm = Math.sqrt(norm);
      for (let i = 0; i < m; i++) q[j * m + i]! /= norm;
    }
    // Q is [m, n]; the weight is Q itself when rows >= cols, else its transpose.
    const out = allocate(dtype, rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        out[r * cols + c] = gain * (rows >= cols ? q[c * m + r]! : q[r * m + c]!);
      }
    }
    return new Tensor(out, shape, dtype);
  });
}
