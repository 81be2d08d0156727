import type { TypedArray } from '../../../tensor/dtype.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { UnaryAttrs } from '../../kernels.js';
import { castKernel } from './cast.js';
import { erf } from './math.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** One op's loop: y[i] = op(x[i]) for i < n (alpha and beta are the op's parameters, if any). */
type UnaryLoop = (x: TypedArray, y: TypedArray, n: number, alpha: number, beta: number) => void;

/**
 * The elementwise ops of the 'unary' kernel, one loop each (one tight loop per op, no
 * per-element calls through closures). This table defines the op ids (`UnaryOp` in kernels.ts):
 * a new elementwise op is one entry here.
 */
export const UNARY_LOOPS = {
  neg(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = -x[i]!;
  },
  abs(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = Math.abs(x[i]!);
  },
  sign(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = Math.sign(x[i]!);
  },
  exp(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]!);
  },
  log(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = Math.log(x[i]!);
  },
  log1p(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = Math.log1p(x[i]!);
  },
  expm1(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = Math.expm1(x[i]!);
  },
  sqrt(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = Math.sqrt(x[i]!);
  },
  rsqrt(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = 1 / Math.sqrt(x[i]!);
  },
  square(x, y, n) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      y[i] = v * v;
    }
  },
  reciprocal(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = 1 / x[i]!;
  },
  sin(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = Math.sin(x[i]!);
  },
  cos(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = Math.cos(x[i]!);
  },
  tan(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = Math.tan(x[i]!);
  },
  tanh(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]!);
  },
  sigmoid(x, y, n) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      // Split by sign so exp never overflows.
      if (v >= 0) y[i] = 1 / (1 + Math.exp(-v));
      else {
        const e = Math.exp(v);
        y[i] = e / (1 + e);
      }
    }
  },
  softplus(x, y, n) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      y[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    }
  },
  relu6(x, y, n) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      y[i] = Math.min(Math.max(v, 0), 6); // NaN passes through
    }
  },
  clip(x, y, n, alpha, beta) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      y[i] = Math.min(Math.max(v, alpha), beta); // NaN passes through
    }
  },
  silu(x, y, n) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      y[i] = v >= 0 ? v / (1 + Math.exp(-v)) : (v * Math.exp(v)) / (1 + Math.exp(v));
    }
  },
  geluTanh(x, y, n) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      y[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
    }
  },
  relu(x, y, n) {
    for (let i = 0; i < n; i++) {
      y[i] = Math.max(x[i]!, 0); // NaN passes through, as in NumPy's maximum(x, 0)
    }
  },
  step(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = x[i]! > 0 ? 1 : 0;
  },
  leakyRelu(x, y, n, alpha) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      y[i] = v > 0 ? v : alpha * v;
    }
  },
  elu(x, y, n, alpha) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      y[i] = v > 0 ? v : alpha * Math.expm1(v);
    }
  },
  erf(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = erf(x[i]!);
  },
  gelu(x, y, n) {
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      y[i] = 0.5 * v * (1 + erf(v * Math.SQRT1_2));
    }
  },
  floor(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = Math.floor(x[i]!);
  },
  ceil(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = Math.ceil(x[i]!);
  },
  round(x, y, n) {
    // Round half to even, as NumPy and TensorFlow do.
    for (let i = 0; i < n; i++) {
      const v = x[i]!;
      const r = Math.round(v);
      y[i] = Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
    }
  },
  isNaN(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = Number.isNaN(x[i]!) ? 1 : 0;
  },
  isFinite(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = Number.isFinite(x[i]!) ? 1 : 0;
  },
  logicalNot(x, y, n) {
    for (let i = 0; i < n; i++) y[i] = x[i] ? 0 : 1;
  },
} satisfies Record<string, UnaryLoop>;

/** The generic elementwise kernel: runs the op's loop over the whole tensor ('cast' converts dtypes). */
export function unaryKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: UnaryAttrs,
): void {
  if (attrs.op === 'cast') {
    castKernel(inputs[0]!, outputs[0]!);
    return;
  }
  const loop: UnaryLoop | undefined = UNARY_LOOPS[attrs.op];
  if (loop === undefined) throw new Error(`unary kernel (ts): unknown op '${attrs.op}'`);
  const x = inputs[0]!.data;
  loop(x, outputs[0]!.data, x.length, attrs.alpha ?? 0, attrs.beta ?? 0);
}
