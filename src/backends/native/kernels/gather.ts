import type { Tensor } from '../../../tensor/tensor.js';
import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { counts, f32, nativeOptions } from '../check.js';

/** native/gather/gather_napi.cc. */
export interface GatherBinding {
  gather(
    x: Float32Array,
    indices: Int32Array,
    y: Float32Array,
    outer: number,
    axisSize: number,
    inner: number,
  ): void;
  /** Adds into y [numSegments, inner]; data is [segmentIds.length, inner]. */
  unsortedSegmentSum(
    data: Float32Array,
    segmentIds: Int32Array,
    y: Float32Array,
    numSegments: number,
  ): void;
}

const isF32 = (t: Tensor) => t.data instanceof Float32Array;
const isI32 = (t: Tensor) => t.data instanceof Int32Array;

/**
 * The native gather and unsortedSegmentSum (the embedding lookup and its gradient) for float32
 * rows and int32 indices; other dtypes and tiny calls run on the TypeScript kernels. The ops have
 * checked the indices (errors name the op and the bad index); C++ checks them again. The TS
 * kernel is looked up per fallback, so a kernel re-registered under 'ts' (a test spy) is the one run.
 */
export function registerGather(binding: NativeBinding): void {
  const native = binding as NativeBinding & GatherBinding;
  registerKernel('gather', 'native', (inputs, outputs, a) => {
    const [x, idx] = inputs as [Tensor, Tensor];
    const y = outputs[0]!;
    if (!isF32(x) || !isI32(idx) || !isF32(y) || y.size < nativeOptions.minElements) {
      getKernel('gather', REFERENCE_BACKEND)(inputs, outputs, a);
      return;
    }
    counts('gather', a, ['outer', 'axisSize', 'inner']);
    const xd = f32('gather', 'x', x, a.outer * a.axisSize * a.inner);
    const yd = f32('gather', 'y', y, a.outer * idx.size * a.inner);
    native.gather(xd, idx.data as Int32Array, yd, a.outer, a.axisSize, a.inner);
  });
  registerKernel('unsortedSegmentSum', 'native', (inputs, outputs, a) => {
    const [data, ids] = inputs as [Tensor, Tensor];
    const y = outputs[0]!;
    if (!isF32(data) || !isI32(ids) || !isF32(y) || data.size < nativeOptions.minElements) {
      getKernel('unsortedSegmentSum', REFERENCE_BACKEND)(inputs, outputs, a);
      return;
    }
    counts('unsortedSegmentSum', a, ['numSegments']);
    const inner = ids.size > 0 ? data.size / ids.size : 0;
    const yd = f32('unsortedSegmentSum', 'y', y, ids.size > 0 ? a.numSegments * inner : y.size);
    native.unsortedSegmentSum(data.data as Float32Array, ids.data as Int32Array, yd, a.numSegments);
  });
}
