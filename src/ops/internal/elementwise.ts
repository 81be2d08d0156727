import type { BackwardFn } from '../../autograd/node.js';
import { record } from '../../autograd/tape.js';
import { runKernel } from '../../backends/index.js';
import type { BinaryOp, UnaryOp } from '../../backends/kernels.js';
import { type TensorLike, toTensor } from '../../tensor/create.js';
import { checkDType, type DType, promoteTypes } from '../../tensor/dtype.js';
import { broadcastShapes } from '../../tensor/shape.js';
import { emptyTensor, Tensor, uninitializedTensor } from '../../tensor/tensor.js';

/** Every dtype the elementwise kernels compute on. */
export const NUMERIC: readonly DType[] = ['float32', 'int32', 'bool'];
/** Numbers proper: what arithmetic and math functions accept (bool is rejected). */
export const REAL: readonly DType[] = ['float32', 'int32'];

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
  op: UnaryOp,
  xLike: TensorLike,
  grad: ((dy: Tensor, x: Tensor, y: Tensor) => Tensor) | null,
  options: {
    rule?: DTypeRule;
    attrs?: Record<string, number>;
    accepted?: readonly DType[];
    /** The public op's name for errors and the graph, when it differs from the kernel's op. */
    name?: string;
  } = {},
): Tensor {
  const x = toTensor(xLike);
  const name = options.name ?? op;
  checkDType(name, 'x', x.dtype, options.accepted ?? NUMERIC);
  const y = emptyTensor(x.shape, outputDType(options.rule ?? 'same', x.dtype));
  runKernel('unary', [x], [y], { op, ...options.attrs });
  if (grad === null) return y;
  return record(name, [x], y, (dy) => [grad(dy, x, y)]);
}

/**
 * The dtype a plain number takes next to a tensor of dtype `other`, as in NumPy's scalar rules:
 * the tensor's dtype when it can hold the number exactly (so `mul(x, 2)` stays int32 for int32 x),
 * else int32 or float32 (`less(intTensor, 0.5)` compares with 0.5, not 0).
 */
function scalarDType(v: number, other: DType): DType {
  if (other === 'float32') return 'float32';
  if (!Number.isInteger(v)) return 'float32';
  if (other === 'bool') return v === 0 || v === 1 ? 'bool' : 'int32';
  return 'int32';
}

/** Converts the two operands of a binary op; a plain number follows the other operand's dtype. */
export function toOperands(aLike: TensorLike, bLike: TensorLike): [Tensor, Tensor] {
  let a = aLike instanceof Tensor ? aLike : null;
  let b = bLike instanceof Tensor ? bLike : null;
  a ??= toTensor(aLike, typeof aLike === 'number' && b ? scalarDType(aLike, b.dtype) : undefined);
  b ??= toTensor(bLike, typeof bLike === 'number' ? scalarDType(bLike, a.dtype) : undefined);
  return [a, b];
}

/**
 * Runs the generic broadcasting 'binary' kernel for `op`. Inputs are promoted to a common dtype
 * (float32 wins over int32) and broadcast under NumPy rules.
 */
export function binaryOp(
  op: BinaryOp,
  aLike: TensorLike,
  bLike: TensorLike,
  grad: ((dy: Tensor, a: Tensor, b: Tensor, y: Tensor) => readonly (Tensor | null)[]) | null,
  options: { rule?: DTypeRule; accepted?: readonly DType[] } = {},
): Tensor {
  const [a, b] = toOperands(aLike, bLike);
  const accepted = options.accepted ?? NUMERIC;
  checkDType(op, 'a', a.dtype, accepted);
  checkDType(op, 'b', b.dtype, accepted);
  const common = promoteTypes(a.dtype, b.dtype);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const dtype = outputDType(options.rule ?? 'same', common);
  // The binary kernels write every output element.
  const y = dtype === 'float32' ? uninitializedTensor(shape) : emptyTensor(shape, dtype);
  runKernel('binary', [a, b], [y], { op });
  if (grad === null) return y;
  const backward: BackwardFn = (dy) => grad(dy, a, b, y);
  return record(op, [a, b], y, backward);
}
