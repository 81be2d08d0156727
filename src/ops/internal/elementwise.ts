import type { BackwardFn } from '../../autograd/node.js';
import { record } from '../../autograd/tape.js';
import { runKernel } from '../../backends/registry.js';
import { type TensorLike, toTensor } from '../../tensor/create.js';
import { checkDType, type DType, promoteTypes } from '../../tensor/dtype.js';
import { broadcastShapes } from '../../tensor/shape.js';
import { emptyTensor, Tensor } from '../../tensor/tensor.js';

const NUMERIC: readonly DType[] = ['float32', 'int32', 'bool'];

/** How an elementwise op's output dtype follows from its input dtype(s). */
export type DTypeRule = 'same' | 'float' | 'bool';

function outputDType(rule: DTypeRule, input: DType): DType {
  if (rule === 'bool') return 'bool';
  if (rule === 'float') return 'float32';
  return input === 'bool' ? 'int32' : input;
}

/**
 * Runs the generic 'unary' kernel for `op` and records `grad(dy, x, y)` for the backward pass.
 * Every unary op file is a call to this plus its gradient.
 */
export function unaryOp(
  op: string,
  xLike: TensorLike,
  grad: ((dy: Tensor, x: Tensor, y: Tensor) => Tensor) | null,
  options: { rule?: DTypeRule; attrs?: Record<string, number>; accepted?: readonly DType[] } = {},
): Tensor {
  const x = toTensor(xLike);
  checkDType(op, 'x', x.dtype, options.accepted ?? NUMERIC);
  const y = emptyTensor(x.shape, outputDType(options.rule ?? 'same', x.dtype));
  runKernel('unary', [x], [y], { op, ...options.attrs });
  if (grad === null) return y;
  return record(op, [x], y, (dy) => [grad(dy, x, y)]);
}

/**
 * Runs the generic broadcasting 'binary' kernel for `op`. Inputs are promoted to a common dtype
 * (float32 wins over int32) and broadcast under NumPy rules.
 */
export function binaryOp(
  op: string,
  aLike: TensorLike,
  bLike: TensorLike,
  grad: ((dy: Tensor, a: Tensor, b: Tensor, y: Tensor) => readonly (Tensor | null)[]) | null,
  options: { rule?: DTypeRule; accepted?: readonly DType[] } = {},
): Tensor {
  let a = aLike instanceof Tensor ? aLike : null;
  let b = bLike instanceof Tensor ? bLike : null;
  // A plain number takes the other operand's dtype, as in NumPy's scalar rules.
  a ??= toTensor(aLike, typeof aLike === 'number' && b ? b.dtype : undefined);
  b ??= toTensor(bLike, typeof bLike === 'number' ? a.dtype : undefined);
  const accepted = options.accepted ?? NUMERIC;
  checkDType(op, 'a', a.dtype, accepted);
  checkDType(op, 'b', b.dtype, accepted);
  const common = promoteTypes(a.dtype, b.dtype);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const y = emptyTensor(shape, outputDType(options.rule ?? 'same', common));
  runKernel('binary', [a, b], [y], { op });
  if (grad === null) return y;
  const aT = a;
  const bT = b;
  const backward: BackwardFn = (dy) => grad(dy, aT, bT, y);
  return record(op, [a, b], y, backward);
}
