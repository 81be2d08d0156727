import type { TypedArray } from '../../../tensor/dtype.js';
import type { Tensor } from '../../../tensor/tensor.js';
import { registerKernel } from '../../registry.js';
import { castKernel } from './cast.js';
import { erf } from './math.js';

export interface UnaryAttrs {
  op: string;
  /** leakyRelu/elu slope, or the lower bound of 'clip'. */
  alpha?: number;
  /** The upper bound of 'clip'. */
  beta?: number;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** The generic elementwise kernel: one tight loop per op, no per-element calls through closures. */
export function unaryKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: UnaryAttrs,
): void {
  const x: TypedArray = inputs[0]!.data;
  const y: TypedArray = outputs[0]!.data;
  const n = x.length;
  const alpha = attrs.alpha ?? 0;
  const beta = attrs.beta ?? 0;
  switch (attrs.op) {
    case 'neg':
      for (let i = 0; i < n; i++) y[i] = -x[i]!;
      break;
    case 'abs':
      for (let i = 0; i < n; i++) y[i] = Math.abs(x[i]!);
      break;
    case 'sign':
      for (let i = 0; i < n; i++) y[i] = Math.sign(x[i]!);
      break;
    case 'exp':
      for (let i = 0; i < n; i++) y[i] = Math.exp(x[i]!);
      break;
    case 'log':
      for (let i = 0; i < n; i++) y[i] = Math.log(x[i]!);
      break;
    case 'log1p':
      for (let i = 0; i < n; i++) y[i] = Math.log1p(x[i]!);
      break;
    case 'expm1':
      for (let i = 0; i < n; i++) y[i] = Math.expm1(x[i]!);
      break;
    case 'sqrt':
      for (let i = 0; i < n; i++) y[i] = Math.sqrt(x[i]!);
      break;
    case 'rsqrt':
      for (let i = 0; i < n; i++) y[i] = 1 / Math.sqrt(x[i]!);
      break;
    case 'square':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        y[i] = v * v;
      }
      break;
    case 'reciprocal':
      for (let i = 0; i < n; i++) y[i] = 1 / x[i]!;
      break;
    case 'sin':
      for (let i = 0; i < n; i++) y[i] = Math.sin(x[i]!);
      break;
    case 'cos':
      for (let i = 0; i < n; i++) y[i] = Math.cos(x[i]!);
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) y[i] = Math.tanh(x[i]!);
      break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        // Split by sign so exp never overflows.
        if (v >= 0) y[i] = 1 / (1 + Math.exp(-v));
        else {
          const e = Math.exp(v);
          y[i] = e / (1 + e);
        }
      }
      break;
    case 'softplus':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        y[i] = Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
      }
      break;
    case 'relu6':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        y[i] = Math.min(Math.max(v, 0), 6); // NaN passes through
      }
      break;
    case 'clip':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        y[i] = Math.min(Math.max(v, alpha), beta); // NaN passes through
      }
      break;
    case 'silu':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        y[i] = v >= 0 ? v / (1 + Math.exp(-v)) : (v * Math.exp(v)) / (1 + Math.exp(v));
      }
      break;
    case 'geluTanh':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        y[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
      }
      break;
    case 'relu':
      for (let i = 0; i < n; i++) {
        y[i] = Math.max(x[i]!, 0); // NaN passes through, as in NumPy's maximum(x, 0)
      }
      break;
    case 'step':
      for (let i = 0; i < n; i++) y[i] = x[i]! > 0 ? 1 : 0;
      break;
    case 'leakyRelu':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        y[i] = v > 0 ? v : alpha * v;
      }
      break;
    case 'elu':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        y[i] = v > 0 ? v : alpha * Math.expm1(v);
      }
      break;
    case 'erf':
      for (let i = 0; i < n; i++) y[i] = erf(x[i]!);
      break;
    case 'gelu':
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        y[i] = 0.5 * v * (1 + erf(v * Math.SQRT1_2));
      }
      break;
    case 'floor':
      for (let i = 0; i < n; i++) y[i] = Math.floor(x[i]!);
      break;
    case 'ceil':
      for (let i = 0; i < n; i++) y[i] = Math.ceil(x[i]!);
      break;
    case 'round':
      // Round half to even, as NumPy and TensorFlow do.
      for (let i = 0; i < n; i++) {
        const v = x[i]!;
        const r = Math.round(v);
        y[i] = Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
      }
      break;
    case 'isNaN':
      for (let i = 0; i < n; i++) y[i] = Number.isNaN(x[i]!) ? 1 : 0;
      break;
    case 'isFinite':
      for (let i = 0; i < n; i++) y[i] = Number.isFinite(x[i]!) ? 1 : 0;
      break;
    case 'logicalNot':
      for (let i = 0; i < n; i++) y[i] = x[i] ? 0 : 1;
      break;
    case 'cast':
      castKernel(inputs[0]!, outputs[0]!);
      break;
    default:
      throw new Error(`unary kernel (ts): unknown op '${attrs.op}'`);
  }
}

registerKernel('unary', 'ts', unaryKernel);
