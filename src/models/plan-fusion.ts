import type { KernelName, Pool2DAttrs, QuantizedConv2DAttrs } from '../backends/kernels.js';
import { type AnyKernel, getKernel } from '../backends/registry.js';
import type { Tensor } from '../tensor/tensor.js';

/** One recorded kernel call of an inference plan. Its tensors are the plan's buffers, the
 * weights or constants. */
export interface PlanStep {
  name: KernelName;
  kernel: AnyKernel;
  inputs: readonly Tensor[];
  outputs: readonly Tensor[];
  attrs: unknown;
  /** Kernels get zero-filled outputs from their op; a step whose kernel overwrites every element
   *  (found by calibrate) skips the fill. */
  zero: boolean;
}

/** Two consecutive kernel calls, the second reading only the first's output, that one fused
 * kernel computes exactly (its contract says so, and the plan's replay check confirms it). */
interface Fusion {
  first: KernelName;
  second: KernelName;
  fused: KernelName;
  /** Whether this pair qualifies; then the fused kernel's attrs. */
  attrs(first: PlanStep, second: PlanStep): unknown | null;
}

const FUSIONS: readonly Fusion[] = [
  {
    // A uint8 convolution and its max pooling: the pooling's windows are computed together
    // and pooled before one requantization, so the convolution's output is never stored.
    first: 'quantizedConv2d',
    second: 'maxPool2d',
    fused: 'quantizedConv2dMaxPool',
    attrs: (conv, pool) =>
      conv.outputs[0]!.dtype === 'uint8' && pool.outputs[0]!.dtype === 'uint8'
        ? { ...(conv.attrs as QuantizedConv2DAttrs), pool: pool.attrs as Pool2DAttrs }
        : null,
  },
];

/**
 * The steps with each fusable pair replaced by its fused kernel (on the active backend), where
 * the first step's output is read by the second step only and is not a model output (`keep`).
 */
export function fuseSteps(
  steps: readonly PlanStep[],
  keep: ReadonlySet<ArrayBufferLike>,
): PlanStep[] {
  const readers = new Map<ArrayBufferLike, number>();
  for (const s of steps)
    for (const t of s.inputs) readers.set(t.data.buffer, (readers.get(t.data.buffer) ?? 0) + 1);
  const out: PlanStep[] = [];
  for (let i = 0; i < steps.length; i++) {
    const a = steps[i]!;
    const b = steps[i + 1];
    const rule = b && FUSIONS.find((f) => f.first === a.name && f.second === b.name);
    const mid = a.outputs[0]?.data.buffer;
    const attrs =
      rule &&
      a.outputs.length === 1 &&
      mid !== undefined &&
      b.inputs[0]?.data === a.outputs[0]!.data &&
      readers.get(mid) === 1 &&
      !keep.has(mid)
        ? rule.attrs(a, b)
        : null;
    if (!rule || attrs === null || attrs === undefined) {
      out.push(a);
      continue;
    }
    out.push({
      name: rule.fused,
      kernel: getKernel(rule.fused) as AnyKernel,
      inputs: a.inputs,
      outputs: b.outputs,
      attrs,
      zero: true,
    });
    i++;
  }
  return out;
}
