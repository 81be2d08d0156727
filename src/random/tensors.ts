import { allocate, type DType } from '../tensor/dtype.js';
import { checkShape, type Shape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { getRng, type Rng } from './rng.js';

/** Options of the random tensor functions: the dtype and the generator drawn from. */
export interface RandomOptions {
  dtype?: DType;
  /** A generator to draw from instead of the global one. */
  rng?: Rng;
}

function randomTensor(
  op: string,
  shape: Shape,
  draw: (rng: Rng) => number,
  options: RandomOptions,
): Tensor {
  checkShape(op, shape);
  const dtype = options.dtype ?? 'float32';
  const rng = options.rng ?? getRng();
  const data = allocate(dtype, sizeOf(shape));
  for (let i = 0; i < data.length; i++) data[i] = draw(rng);
  return new Tensor(data, shape, dtype);
}

/** Uniform values in [minval, maxval). */
export function randomUniform(
  shape: Shape,
  minval = 0,
  maxval = 1,
  options: RandomOptions = {},
): Tensor {
  const span = maxval - minval;
  // A draw just below maxval can round up to it in float32; keep the interval half-open as Keras
  // does by taking the largest float32 below maxval instead (the generator's stream is unchanged).
  const below = float32Below(maxval);
  const draw = (r: Rng) => minval + span * r.uniform();
  const float32 = (options.dtype ?? 'float32') === 'float32';
  return randomTensor(
    'randomUniform',
    shape,
    float32 ? (r) => Math.min(draw(r), below) : draw,
    options,
  );
}

/** The largest float32 strictly below x (x itself when x is not finite). */
function float32Below(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = new Float32Array([x]);
  if (f[0]! < x) return f[0]!;
  const bits = new Int32Array(f.buffer);
  // Stepping the bit pattern moves one float32 toward zero for x > 0 and away from it for x < 0.
  if (f[0] === 0) f[0] = -1.401298464324817e-45;
  else bits[0]! += f[0]! > 0 ? -1 : 1;
  return f[0]!;
}

/** Normal values with the given mean and standard deviation. */
export function randomNormal(
  shape: Shape,
  mean = 0,
  stddev = 1,
  options: RandomOptions = {},
): Tensor {
  return randomTensor('randomNormal', shape, (r) => mean + stddev * r.normal(), options);
}

/** Normal values re-drawn until within two standard deviations of the mean (Keras's TruncatedNormal). */
export function truncatedNormal(
  shape: Shape,
  mean = 0,
  stddev = 1,
  options: RandomOptions = {},
): Tensor {
  return randomTensor(
    'truncatedNormal',
    shape,
    (r) => mean + stddev * r.truncatedNormal(),
    options,
  );
}

/** 1 with probability p, else 0 (a dropout mask before scaling). */
export function bernoulli(shape: Shape, p: number, options: RandomOptions = {}): Tensor {
  return randomTensor('bernoulli', shape, (r) => (r.uniform() < p ? 1 : 0), options);
}
