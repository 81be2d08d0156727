import { noGrad } from '../../autograd/tape.js';
import { GPT } from '../../models/gpt.js';
import type { Model } from '../../models/model.js';
import { type DecoderBits, WeightOnlyGPT } from './decoder.js';
import { floatMatrix } from './float-matmul.js';
import { quantizeWeightOnly, type WeightOnlyBits } from './pack.js';

/** The int4 group sizes `quantize` accepts (llama.cpp's Q4_0 and GPTQ use 32 to 128). */
export const WEIGHT_ONLY_GROUP_SIZES = [32, 64, 128] as const;
/** The default int4 group size (llama.cpp's Q4_0 blocks of 32). */
export const DEFAULT_GROUP_SIZE = 32;

/**
 * `quantize(gpt, {mode: 'weight-only', bits, groupSize})`: a `WeightOnlyGPT` whose attention
 * projections, feed-forward Dense layers and tied output head hold int8 weights (per output
 * channel) or int4 weights (per group of `groupSize` inputs), with the embeddings and layer
 * norms float32. bits 32 keeps every matrix float32 on the same fused decoding loop (the fair
 * float baseline, and a faster float decoder). The GPT is not changed.
 */
export function quantizeGptWeightOnly(
  model: Model,
  bits: unknown,
  groupSize: unknown,
  layers: unknown,
): WeightOnlyGPT {
  const OP = 'quantize';
  if (!(model instanceof GPT))
    throw new TypeError(
      `${OP}: mode 'weight-only' quantizes GPT models (decoding); model '${model.name}' is a ${(model.constructor as typeof Model).className}`,
    );
  if (layers !== undefined)
    throw new RangeError(
      `${OP}: mode 'weight-only' quantizes every matrix of GPT '${model.name}'; the layers option is not supported`,
    );
  if (bits !== 8 && bits !== 4 && bits !== 32)
    throw new RangeError(
      `${OP}: bits must be 8, 4 or 32 (float) for mode 'weight-only', got ${JSON.stringify(bits)} (GPT '${model.name}')`,
    );
  const g = groupSize ?? DEFAULT_GROUP_SIZE;
  if (!(WEIGHT_ONLY_GROUP_SIZES as readonly unknown[]).includes(g))
    throw new RangeError(
      `${OP}: groupSize must be one of ${WEIGHT_ONLY_GROUP_SIZES.join(', ')}, got ${JSON.stringify(groupSize)} (layer '${model.blocks[0]?.name ?? model.name}' and every other matrix of GPT '${model.name}')`,
    );
  const q = noGrad(
    () =>
      new WeightOnlyGPT({
        gpt: { ...model.config },
        bits: bits as DecoderBits,
        groupSize: g as number,
        name: `${model.name}_${bits === 32 ? 'fused' : `int${bits}`}`,
      }),
  );
  q.setFromGPT(model, (w, K, N, bias) =>
    bits === 32
      ? floatMatrix(w, K, N, bias)
      : quantizeWeightOnly(w, K, N, bits as WeightOnlyBits, g as number, bias),
  );
  return q;
}
