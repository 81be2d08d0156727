import type { TypedArray } from '../../../tensor/dtype.js';
import { broadcastStrides } from '../../../tensor/shape.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { BinaryAttrs, Kernel } from '../../kernels.js';

/**
 * y[o + i] = a[ao + i*sa] op b[bo + i*sb] for i < n: one contiguous run of the output, each input
 * either walking (stride 1) or broadcast (stride 0).
 */
type BinaryLoop = (
  a: TypedArray,
  ao: number,
  sa: number,
  b: TypedArray,
  bo: number,
  sb: number,
  y: TypedArray,
  o: number,
  n: number,
) => void;

/**
 * The ops of the 'binary' kernel, one loop each (keeps the inner loop monomorphic). This table
 * defines the op ids (`BinaryOp` in kernels.ts): a new binary op is one entry here.
 */
export const BINARY_LOOPS = {
  left(a, ao, sa, _b, _bo, _sb, y, o, n) {
    for (let i = 0; i < n; i++) y[o + i] = a[ao + i * sa]!;
  },
  add(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) y[o + i] = a[ao + i * sa]! + b[bo + i * sb]!;
  },
  sub(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) y[o + i] = a[ao + i * sa]! - b[bo + i * sb]!;
  },
  mul(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) y[o + i] = a[ao + i * sa]! * b[bo + i * sb]!;
  },
  div(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) y[o + i] = a[ao + i * sa]! / b[bo + i * sb]!;
  },
  floorDiv(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) y[o + i] = Math.floor(a[ao + i * sa]! / b[bo + i * sb]!);
  },
  mod(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) {
      const bv = b[bo + i * sb]!;
      const r = a[ao + i * sa]! % bv;
      y[o + i] = r !== 0 && r < 0 !== bv < 0 ? r + bv : r; // Python's sign convention
    }
  },
  pow(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) y[o + i] = a[ao + i * sa]! ** b[bo + i * sb]!;
  },
  maximum(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) {
      const u = a[ao + i * sa]!;
      const v = b[bo + i * sb]!;
      y[o + i] = u >= v || Number.isNaN(u) ? u : v;
    }
  },
  minimum(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) {
      const u = a[ao + i * sa]!;
      const v = b[bo + i * sb]!;
      y[o + i] = u <= v || Number.isNaN(u) ? u : v;
    }
  },
  squaredDifference(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) {
      const d = a[ao + i * sa]! - b[bo + i * sb]!;
      y[o + i] = d * d;
    }
  },
  atan2(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) y[o + i] = Math.atan2(a[ao + i * sa]!, b[bo + i * sb]!);
  },
  equal(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) y[o + i] = a[ao + i * sa] === b[bo + i * sb] ? 1 : 0;
  },
  notEqual(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) y[o + i] = a[ao + i * sa] !== b[bo + i * sb] ? 1 : 0;
  },
  less(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) y[o + i] = a[ao + i * sa]! < b[bo + i * sb]! ? 1 : 0;
  },
  lessEqual(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) y[o + i] = a[ao + i * sa]! <= b[bo + i * sb]! ? 1 : 0;
  },
  greater(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) y[o + i] = a[ao + i * sa]! > b[bo + i * sb]! ? 1 : 0;
  },
  greaterEqual(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) y[o + i] = a[ao + i * sa]! >= b[bo + i * sb]! ? 1 : 0;
  },
  logicalAnd(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) y[o + i] = a[ao + i * sa] && b[bo + i * sb] ? 1 : 0;
  },
  logicalOr(a, ao, sa, b, bo, sb, y, o, n) {
    for (let i = 0; i < n; i++) y[o + i] = a[ao + i * sa] || b[bo + i * sb] ? 1 : 0;
  },
} satisfies Record<string, BinaryLoop>;

/** Broadcasting elementwise kernel: walks the output row by row over its last axis. */
export function binaryKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: BinaryAttrs,
): void {
  const [a, b] = inputs as [Tensor, Tensor];
  const y = outputs[0]!;
  const n = y.size;
  if (n === 0) return;
  const run: BinaryLoop | undefined = BINARY_LOOPS[attrs.op];
  if (run === undefined) throw new Error(`binary kernel (ts): unknown op '${attrs.op}'`);
  if (a.size === n && b.size === n) {
    run(a.data, 0, 1, b.data, 0, 1, y.data, 0, n);
    return;
  }
  if (b.size === 1 && a.size === n) {
    run(a.data, 0, 1, b.data, 0, 0, y.data, 0, n);
    return;
  }
  if (a.size === 1 && b.size === n) {
    run(a.data, 0, 0, b.data, 0, 1, y.data, 0, n);
    return;
  }
  const rank = y.shape.length;
  const sa = broadcastStrides(a.shape, y.shape);
  const sb = broadcastStrides(b.shape, y.shape);
  const last = y.shape[rank - 1]!;
  const rows = n / last;
  const index = new Array<number>(rank).fill(0);
  let ao = 0;
  let bo = 0;
  for (let r = 0; r < rows; r++) {
    run(a.data, ao, sa[rank - 1]!, b.data, bo, sb[rank - 1]!, y.data, r * last, last);
    // Advance the multi-index over all axes but the last, carrying like an odometer.
    for (let d = rank - 2; d >= 0; d--) {
      index[d]!++;
      ao += sa[d]!;
      bo += sb[d]!;
      if (index[d]! < y.shape[d]!) break;
      ao -= sa[d]! * index[d]!;
      bo -= sb[d]! * index[d]!;
      index[d] = 0;
    }
  }
}

// A broadcasting copy is the binary walk with the op that keeps its left operand.
export const broadcastToKernel: Kernel<'broadcastTo'> = (inputs, outputs) =>
  binaryKernel([inputs[0]!, inputs[0]!], outputs, { op: 'left' });
