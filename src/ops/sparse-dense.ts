import { recordNonDifferentiable } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { SparseDenseAttrs } from '../backends/kernels.js';
import { tensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';

/** A Dense kernel [K, N] stored sparse: CSR over its columns (one row per output unit). */
export interface CsrKernel {
  /** K: the input features. */
  readonly inputs: number;
  /** N: the output units. */
  readonly units: number;
  /** int32 [N + 1]: unit j's entries are rowPtr[j] .. rowPtr[j + 1] - 1. */
  readonly rowPtr: Tensor;
  /** int32 [nnz]: the input index of each entry. */
  readonly colIdx: Tensor;
  /** float32 [nnz]: the weights. */
  readonly values: Tensor;
}

/**
 * The CSR form of a float32 Dense kernel [K, N] (its nonzero weights, per output unit in input
 * order). `csrKernel(layer.kernel)`
 */
export function csrKernel(kernel: Tensor, label = 'csrKernel'): CsrKernel {
  checkDType(label, 'kernel', kernel.dtype, ['float32']);
  if (kernel.rank !== 2)
    throw new RangeError(
      `${label}: kernel must be [inputs, units], got ${formatShape(kernel.shape)}`,
    );
  const [K, N] = kernel.shape as [number, number];
  const w = kernel.data as Float32Array;
  const rowPtr = new Int32Array(N + 1);
  for (let i = 0; i < K; i++) for (let j = 0; j < N; j++) if (w[i * N + j] !== 0) rowPtr[j + 1]!++;
  for (let j = 0; j < N; j++) rowPtr[j + 1]! += rowPtr[j]!;
  const nnz = rowPtr[N]!;
  const colIdx = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  const next = rowPtr.slice(0, N);
  for (let i = 0; i < K; i++)
    for (let j = 0; j < N; j++) {
      const v = w[i * N + j]!;
      if (v === 0) continue;
      const p = next[j]!++;
      colIdx[p] = i;
      values[p] = v;
    }
  return {
    inputs: K,
    units: N,
    rowPtr: tensor(rowPtr, [N + 1], 'int32'),
    colIdx: tensor(colIdx, [nnz], 'int32'),
    values: tensor(values, [nnz], 'float32'),
  };
}

/**
 * y = act(x · W + bias) for x float32 [..., K] and W in CSR form (`csrKernel`), act relu or
 * linear: the sparse kernel a pruned Dense runs at inference (SparseDenseAttrs gives the exact
 * sums; native and TypeScript agree bit for bit). Inference only: not differentiable.
 * `sparseDense(x, csrKernel(kernel), bias, 'relu')`
 */
export function sparseDense(
  x: Tensor,
  w: CsrKernel,
  bias?: Tensor,
  activation: 'relu' | 'linear' = 'linear',
  label = 'sparseDense',
): Tensor {
  checkDType(label, 'x', x.dtype, ['float32']);
  const K = w.inputs;
  const N = w.units;
  if (x.rank < 1 || x.shape.at(-1) !== K)
    throw new RangeError(
      `${label}: x ${formatShape(x.shape)} does not fit a sparse kernel of ${K} inputs`,
    );
  if (bias && (bias.dtype !== 'float32' || bias.rank !== 1 || bias.size !== N))
    throw new RangeError(`${label}: bias must be float32 [${N}], got ${formatShape(bias.shape)}`);
  const M = x.size / K;
  const y = emptyTensor([...x.shape.slice(0, -1), N], 'float32');
  const attrs: SparseDenseAttrs = { M, K, N, relu: activation === 'relu' };
  const { rowPtr, colIdx, values } = w;
  runKernel('sparseDense', [x, rowPtr, colIdx, values, ...(bias ? [bias] : [])], [y], attrs);
  return recordNonDifferentiable(`${label} (sparse, inference only)`, [x], y);
}
