import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { MatMulAttrs } from '../backends/kernels.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { broadcastShapes, formatShape, sizeOf } from '../tensor/shape.js';
import { type Tensor, uninitializedTensor } from '../tensor/tensor.js';
import { broadcastTo } from './broadcast-to.js';
import { unbroadcast } from './internal/unbroadcast.js';
import { reshape } from './reshape.js';

/**
 * Matrix product over the last two axes, batch axes broadcast: [..., M, K] @ [..., K, N] -> [..., M, N].
 * `transposeA`/`transposeB` use the transpose of an operand without copying it. Rank-1 operands
 * are treated as a row (a) or column (b) vector and that axis is dropped from the result, as in NumPy.
 * `matMul(x, w)`
 */
export function matMul(
  aLike: TensorLike,
  bLike: TensorLike,
  transposeA = false,
  transposeB = false,
): Tensor {
  let a = toTensor(aLike);
  let b = toTensor(bLike);
  checkDType('matMul', 'a', a.dtype, ['float32']);
  checkDType('matMul', 'b', b.dtype, ['float32']);
  if (a.rank === 0 || b.rank === 0)
    throw new RangeError(
      `matMul: operands must have rank >= 1, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  const vecA = a.rank === 1;
  const vecB = b.rank === 1;
  if (vecA) a = reshape(a, [1, a.shape[0]!]);
  if (vecB) b = reshape(b, [b.shape[0]!, 1]);
  const [aR, aC] = a.shape.slice(-2) as [number, number];
  const [bR, bC] = b.shape.slice(-2) as [number, number];
  const M = transposeA ? aC : aR;
  const K = transposeA ? aR : aC;
  const Kb = transposeB ? bC : bR;
  const N = transposeB ? bR : bC;
  if (K !== Kb) {
    throw new RangeError(
      `matMul: inner dimensions differ: ${formatShape(a.shape)}${transposeA ? 'ᵀ' : ''} @ ${formatShape(b.shape)}${transposeB ? 'ᵀ' : ''} (${K} vs ${Kb})`,
    );
  }
  const batchShape = broadcastShapes('matMul', a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batch = sizeOf(batchShape);
  const aIn =
    sizeOf(a.shape.slice(0, -2)) === batch || a.rank === 2
      ? a
      : broadcastTo(a, [...batchShape, aR, aC]);
  const bIn =
    sizeOf(b.shape.slice(0, -2)) === batch || b.rank === 2
      ? b
      : broadcastTo(b, [...batchShape, bR, bC]);
  const y = uninitializedTensor([...batchShape, M, N]);
  const attrs: MatMulAttrs = {
    transposeA,
    transposeB,
    batch,
    M,
    N,
    K,
    aBatchStride: aIn.rank === 2 && batch > 1 ? 0 : M * K,
    bBatchStride: bIn.rank === 2 && batch > 1 ? 0 : K * N,
  };
  runKernel('matMul', [aIn, bIn], [y], attrs);
  const aT = a;
  const bT = b;
  let out = record('matMul', [a, b], y, (dy) => {
    // dA = dy @ op(B)^T (arranged for transposeA), dB = op(A)^T @ dy (arranged for transposeB).
    // Operands that need no gradient (the data, a frozen weight) skip their product entirely.
    const da = !aT.requiresGrad
      ? null
      : transposeA
        ? matMul(bT, dy, transposeB, true)
        : matMul(dy, bT, false, !transposeB);
    const db = !bT.requiresGrad
      ? null
      : transposeB
        ? matMul(dy, aT, true, transposeA)
        : matMul(aT, dy, !transposeA, false);
    return [da && unbroadcast(da, aT.shape), db && unbroadcast(db, bT.shape)];
  });
  if (vecA) out = reshape(out, [...batchShape, N]);
  if (vecB) out = reshape(out, out.shape.slice(0, -1));
  return out;
}
