import type { NativeBinding } from '../binding.js';
import { nativeBinding } from '../index.js';

/** native/woq/decode_napi.cc: one GPT decoding step, the whole decoder stack in one call. */
export interface GptDecodeStepBinding {
  /**
   * config [V, L, layers, H, D, F, bits, groupSize, relu (0 | 1), eps]; writes logits [B·T, V]
   * and the keys and values of positions past.. into kv.
   */
  gptDecodeStep(
    config: Float64Array,
    floats: Float32Array,
    bytes: Uint8Array,
    scales: Float32Array,
    colsum: Int32Array,
    kv: Float32Array,
    tokens: Int32Array,
    B: number,
    T: number,
    past: number,
    logits: Float32Array,
  ): void;
}

/** The addon's GPT decoding step, or null (no addon, or one built before it existed). */
export function gptDecodeStepBinding(): GptDecodeStepBinding | null {
  const native = nativeBinding() as (NativeBinding & Partial<GptDecodeStepBinding>) | null;
  return native && typeof native.gptDecodeStep === 'function'
    ? (native as NativeBinding & GptDecodeStepBinding)
    : null;
}
