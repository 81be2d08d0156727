import { allocate, type DType } from '../tensor/dtype.js';
import { checkShape, type Shape, sizeOf } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { getRng, type Rng } from './rng.js';

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
  return randomTensor('randomUniform', shape, (r) => minval + span * r.uniform(), options);
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
