import { broadcastStrides } from '../../../tensor/shape.js';
import type { Tensor } from '../../../tensor/tensor.js';
import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { allFloat32, f32, nativeOptions } from '../check.js';

/**
 * The output shape and both inputs' strides with size-1 axes dropped and adjacent axes merged
 * wherever both inputs walk them contiguously (or both broadcast them), so [b, h, w, c] + [c]
 * becomes [b*h*w, c] and equal shapes become one flat run.
 */
export function collapse(
  outShape: readonly number[],
  aShape: readonly number[],
  bShape: readonly number[],
): [Float64Array, Float64Array, Float64Array] {
  const sa = broadcastStrides(aShape, outShape);
  const sb = broadcastStrides(bShape, outShape);
  const shape: number[] = [];
  const as: number[] = [];
  const bs: number[] = [];
  for (let d = 0; d < outShape.length; d++) {
    const n = outShape[d]!;
    if (n === 1) continue;
    const k = shape.length - 1;
    if (k >= 0 && as[k] === sa[d]! * n && bs[k] === sb[d]! * n) {
      shape[k]! *= n;
      as[k] = sa[d]!;
      bs[k] = sb[d]!;
    } else {
      shape.push(n);
      as.push(sa[d]!);
      bs.push(sb[d]!);
    }
  }
  return [Float64Array.from(shape), Float64Array.from(as), Float64Array.from(bs)];
}

/** The native broadcasting 'binary' for float32 arithmetic; comparisons and ints stay in TS. */
export function registerBinary(native: NativeBinding): void {
  const codes = new Map(native.binaryOps.map((name, i) => [name, i]));
  const reference = getKernel('binary', REFERENCE_BACKEND);
  const run = (code: number, a: Tensor, b: Tensor, y: Tensor): void => {
    const [shape, as, bs] = collapse(y.shape, a.shape, b.shape);
    if (shape.length > 16)
      throw new RangeError('binary (native): rank above 16 after merging axes');
    native.binary(
      code,
      f32('binary', 'a', a, a.size),
      f32('binary', 'b', b, b.size),
      f32('binary', 'output', y, y.size),
      shape,
      as,
      bs,
    );
  };
  registerKernel('binary', 'native', (inputs, outputs, attrs) => {
    const code = codes.get(attrs.op);
    const y = outputs[0]!;
    if (
      code === undefined ||
      y.size < nativeOptions.minElements ||
      !allFloat32([inputs[0]!, inputs[1]!, y])
    ) {
      reference(inputs, outputs, attrs);
      return;
    }
    run(code, inputs[0]!, inputs[1]!, y);
  });
  const left = codes.get('left')!;
  const referenceBroadcast = getKernel('broadcastTo', REFERENCE_BACKEND);
  registerKernel('broadcastTo', 'native', (inputs, outputs, attrs) => {
    const y = outputs[0]!;
    if (y.size < nativeOptions.minElements || !allFloat32([inputs[0]!, y])) {
      referenceBroadcast(inputs, outputs, attrs);
      return;
    }
    run(left, inputs[0]!, inputs[0]!, y);
  });
}
