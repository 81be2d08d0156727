import type { Tensor } from '../../../tensor/tensor.js';
import type { AttentionAttrs } from '../../kernels.js';
import { getKernel, REFERENCE_BACKEND, registerKernel } from '../../registry.js';
import type { NativeBinding } from '../binding.js';
import { allFloat32, counts, f32 } from '../check.js';

/** The addon's fused attention (native/attention/attention_napi.cc). */
export interface AttentionBinding {
  /** attrs: [heads, queries, keys, depth, valueDepth, headsPerStep]. */
  scaledDotProductAttention(
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    bias: Float32Array | null,
    biasIndex: Int32Array | null,
    out: Float32Array,
    lse: Float32Array,
    attrs: Float64Array,
    scale: number,
    causal: boolean,
  ): void;
  scaledDotProductAttentionBackward(
    q: Float32Array,
    k: Float32Array,
    v: Float32Array,
    bias: Float32Array | null,
    biasIndex: Int32Array | null,
    dOut: Float32Array,
    out: Float32Array,
    lse: Float32Array,
    dq: Float32Array,
    dk: Float32Array,
    dv: Float32Array,
    attrs: Float64Array,
    scale: number,
    causal: boolean,
  ): void;
}

const NAME = 'scaledDotProductAttention';

/** q, k, v (and the bias with its index) checked against the attrs, in the binding's order. */
function common(
  name: string,
  q: Tensor,
  k: Tensor,
  v: Tensor,
  bias: Tensor | undefined,
  a: AttentionAttrs,
) {
  counts(name, a, ['heads', 'queries', 'keys', 'depth', 'valueDepth', 'headsPerStep']);
  if (a.headsPerStep < 1 || a.heads % a.headsPerStep !== 0)
    throw new RangeError(`${name} (native): headsPerStep must be >= 1 and divide heads`);
  const { heads: H, queries: Tq, keys: Tk, depth: D, valueDepth: Dv } = a;
  let biasData: Float32Array | null = null;
  if (a.biasIndex) {
    if (!bias || a.biasIndex.length !== H)
      throw new RangeError(`${name} (native): a bias with one index per head is required`);
    const matrices = bias.size / (Tq * Tk);
    if (!Number.isInteger(matrices) || a.biasIndex.some((i) => i < 0 || i >= matrices))
      throw new RangeError(`${name} (native): biasIndex points outside the bias`);
    biasData = f32(name, 'bias', bias, bias.size);
  }
  return [
    f32(name, 'q', q, H * Tq * D),
    f32(name, 'k', k, H * Tk * D),
    f32(name, 'v', v, H * Tk * Dv),
    biasData,
    a.biasIndex,
  ] as const;
}

const dims = (a: AttentionAttrs) =>
  Float64Array.of(a.heads, a.queries, a.keys, a.depth, a.valueDepth, a.headsPerStep);

/** The native fused attention kernels (forward and backward), same inputs and attrs as the TS ones. */
export function registerAttention(binding: NativeBinding): void {
  const native = binding as NativeBinding & AttentionBinding;
  const forward = getKernel(NAME, REFERENCE_BACKEND);
  const backward = getKernel(`${NAME}Backward`, REFERENCE_BACKEND);
  registerKernel(NAME, 'native', (inputs, outputs, a) => {
    if (!allFloat32([...inputs, ...outputs]) || a.keys === 0) return forward(inputs, outputs, a);
    const [q, k, v, bias] = inputs;
    const args = common(NAME, q!, k!, v!, bias, a);
    const out = f32(NAME, 'out', outputs[0]!, a.heads * a.queries * a.valueDepth);
    const lse = f32(NAME, 'lse', outputs[1]!, a.heads * a.queries);
    native.scaledDotProductAttention(...args, out, lse, dims(a), a.scale, a.causal);
  });
  registerKernel(`${NAME}Backward`, 'native', (inputs, outputs, a) => {
    if (!allFloat32([...inputs, ...outputs]) || a.keys === 0) return backward(inputs, outputs, a);
    const [dOut, q, k, v, out, lse, bias] = inputs;
    const name = `${NAME}Backward`;
    const args = common(name, q!, k!, v!, bias, a);
    const n = a.heads * a.queries;
    native.scaledDotProductAttentionBackward(
      ...args,
      f32(name, 'dOut', dOut!, n * a.valueDepth),
      f32(name, 'out', out!, n * a.valueDepth),
      f32(name, 'lse', lse!, n),
      f32(name, 'dq', outputs[0]!, n * a.depth),
      f32(name, 'dk', outputs[1]!, a.heads * a.keys * a.depth),
      f32(name, 'dv', outputs[2]!, a.heads * a.keys * a.valueDepth),
      dims(a),
      a.scale,
      a.causal,
    );
  });
}
