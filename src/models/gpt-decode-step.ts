import { gptDecodeStepBinding } from '../backends/native/kernels/gpt-decode-step.js';
import { layerLabel } from '../nn/layers/internal/args.js';
import { Tensor, type Variable } from '../tensor/tensor.js';
import type { CausalLM } from './generate.js';
import type { GPT } from './gpt.js';

/** The sizes of a GPT the native decoding step runs (GPT['config'] without dropout). */
export type GptStepConfig = Pick<
  GPT['config'],
  | 'vocabularySize'
  | 'sequenceLength'
  | 'numLayers'
  | 'numHeads'
  | 'hiddenDim'
  | 'intermediateDim'
  | 'layerNormEpsilon'
  | 'activation'
>;

/**
 * The weights of a GPT in the native step's layout (native/woq/decode.h): every float32 part in
 * one array (embeddings, norms, biases; with bits 32 the kernels [K, N] and the head [D, V]), and
 * for bits 8 / 4 the packed matrices of `packWeightOnly` one after another.
 */
export interface GptStepWeights {
  config: GptStepConfig;
  bits: 32 | 8 | 4;
  groupSize: number;
  floats: Float32Array;
  bytes: Uint8Array;
  scales: Float32Array;
  colsum: Int32Array;
}

/** The key/value cache of one decoding: [layers, 2, B, heads, sequenceLength, D / heads]. */
export interface GptStepState {
  B: number;
  kv: Float32Array;
  length: number;
}

/** The cache a step returns: its state (shared, growing in place) and its length then. */
export interface GptStepCache {
  readonly state: GptStepState;
  readonly length: number;
}

/** The matrices [K, N] of the step in order: per layer qkv, attention output, ffn in and out; head. */
export function stepMatrices(c: GptStepConfig): [number, number][] {
  const D = c.hiddenDim;
  const F = c.intermediateDim;
  const m: [number, number][] = [];
  for (let i = 0; i < c.numLayers; i++) m.push([D, 3 * D], [D, D], [D, F], [F, D]);
  m.push([D, c.vocabularySize]);
  return m;
}

/** The length of the floats array of the layout (decode.h), kernels included for bits 32. */
export function stepFloatCount(c: GptStepConfig, bits: 32 | 8 | 4): number {
  const D = c.hiddenDim;
  let n = (c.vocabularySize + c.sequenceLength) * D + 2 * D;
  n += c.numLayers * (4 * D + 3 * D + D + c.intermediateDim + D);
  if (bits === 32) for (const [K, N] of stepMatrices(c)) n += K * N;
  return n;
}

/**
 * The float32 parts of a GPT in the layout's order, from a getter of each named part (the
 * biases of a block: qkv, attention_output, ffn_intermediate, ffn_output).
 */
export function concatStepFloats(
  c: GptStepConfig,
  bits: 32 | 8 | 4,
  part: (name: string) => Float32Array,
): Float32Array {
  const names = ['token_embeddings', 'position_embeddings'];
  const mats = ['qkv', 'attention_output', 'ffn_intermediate', 'ffn_output'];
  for (let i = 0; i < c.numLayers; i++) {
    const p = `block_${i}`;
    names.push(`${p}/attention_norm/gamma`, `${p}/attention_norm/beta`);
    for (const m of mats) names.push(`${p}/${m}/bias`);
    names.push(`${p}/ffn_norm/gamma`, `${p}/ffn_norm/beta`);
  }
  names.push('final_norm/gamma', 'final_norm/beta');
  if (bits === 32) {
    for (let i = 0; i < c.numLayers; i++)
      for (const m of mats) names.push(`block_${i}/${m}/kernel`);
    names.push('head/kernel');
  }
  const out = new Float32Array(stepFloatCount(c, bits));
  let at = 0;
  for (const n of names) {
    const a = part(n);
    out.set(a, at);
    at += a.length;
  }
  if (at !== out.length)
    throw new RangeError(`gptDecodeStep: the parts hold ${at} floats, the layout ${out.length}`);
  return out;
}

/**
 * A float GPT's weights in the native step's layout (copied: query, key and value fused into one
 * [D, 3D] kernel, the tied head as Eᵀ [D, V]).
 */
export function floatStepWeights(gpt: GPT): GptStepWeights {
  const c = gpt.config;
  const D = c.hiddenDim;
  const data = (v: Variable | null | undefined, n: number) =>
    v ? (v.data as Float32Array) : new Float32Array(n);
  const parts = new Map<string, Float32Array>();
  parts.set('token_embeddings', data(gpt.embedding.tokenEmbeddings, 0));
  parts.set('position_embeddings', data(gpt.embedding.positionEmbeddings, 0));
  gpt.blocks.forEach((block, i) => {
    const p = `block_${i}`;
    const mha = block.selfAttention!;
    const w = new Float32Array(D * 3 * D);
    const b = new Float32Array(3 * D);
    [mha.queryKernel, mha.keyKernel, mha.valueKernel].forEach((kernel, j) => {
      const k = data(kernel, D * D);
      for (let r = 0; r < D; r++) w.set(k.subarray(r * D, (r + 1) * D), r * 3 * D + j * D);
    });
    [mha.queryBias, mha.keyBias, mha.valueBias].forEach((bias, j) => {
      if (bias) b.set(data(bias, D), j * D);
    });
    const F = c.intermediateDim;
    const ffIn = block.intermediateDense!;
    const ffOut = block.outputDense!;
    const entries: [string, Float32Array][] = [
      ['attention_norm/gamma', data(block.selfAttentionNorm!.gamma, D)],
      ['attention_norm/beta', data(block.selfAttentionNorm!.beta, D)],
      ['qkv/bias', b],
      ['qkv/kernel', w],
      ['attention_output/bias', data(mha.outputBias, D)],
      ['attention_output/kernel', data(mha.outputKernel, D * D)],
      ['ffn_intermediate/bias', data(ffIn.bias, F)],
      ['ffn_intermediate/kernel', data(ffIn.kernel, D * F)],
      ['ffn_output/bias', data(ffOut.bias, D)],
      ['ffn_output/kernel', data(ffOut.kernel, F * D)],
      ['ffn_norm/gamma', data(block.feedforwardNorm!.gamma, D)],
      ['ffn_norm/beta', data(block.feedforwardNorm!.beta, D)],
    ];
    for (const [n, a] of entries) parts.set(`${p}/${n}`, a);
  });
  parts.set('final_norm/gamma', data(gpt.finalNorm.gamma, D));
  parts.set('final_norm/beta', data(gpt.finalNorm.beta, D));
  const E = data(gpt.embedding.tokenEmbeddings, 0);
  const V = c.vocabularySize;
  const head = new Float32Array(D * V);
  for (let j = 0; j < V; j++) for (let k = 0; k < D; k++) head[k * V + j] = E[j * D + k]!;
  parts.set('head/kernel', head);
  const floats = concatStepFloats(c, 32, (n) => parts.get(n)!);
  const empty = {
    bytes: new Uint8Array(0),
    scales: new Float32Array(0),
    colsum: new Int32Array(0),
  };
  return { config: { ...c }, bits: 32, groupSize: 0, floats, ...empty };
}

/** Whether this GPT has the structure the native step runs (and the addon has the step). */
export function nativeStepSupports(gpt: GPT): boolean {
  const c = gpt.config;
  if (!gptDecodeStepBinding()) return false;
  if (c.activation !== 'geluApproximate' && c.activation !== 'relu') return false;
  return gpt.blocks.every(
    (b) =>
      b.normalizeFirst &&
      b.selfAttention !== null &&
      b.crossAttention === null &&
      !b.useRotaryEmbedding &&
      b.intermediateDense !== null &&
      b.outputDense !== null,
  );
}

/**
 * Checks a step's tokens [B, T] and caches (from the latest call, or null) against `config`;
 * returns the state (new when caches is null) and the first position.
 */
export function stepState(
  who: string,
  c: GptStepConfig,
  tokens: Tensor,
  caches: readonly GptStepCache[] | null,
): { state: GptStepState; B: number; T: number; past: number } {
  if (tokens.rank !== 2)
    throw new RangeError(`${who}: expected token ids [batch, steps], got [${tokens.shape}]`);
  const [B, T] = tokens.shape as [number, number];
  const L = c.sequenceLength;
  let state: GptStepState;
  if (caches) {
    const cache = caches[0];
    if (!cache?.state || cache.state.B !== B)
      throw new RangeError(`${who}: the caches do not come from a call with ${B} rows`);
    if (cache.length !== cache.state.length)
      throw new RangeError(
        `${who}: stale cache (${cache.length} steps; the decoding has moved on to ${cache.state.length}); only the latest caches may be passed on`,
      );
    state = cache.state;
  } else {
    state = { B, kv: new Float32Array(c.numLayers * 2 * B * L * c.hiddenDim), length: 0 };
  }
  const past = state.length;
  if (past + T > L)
    throw new RangeError(
      `${who}: positions ${past}..${past + T - 1} exceed the context (sequenceLength=${L})`,
    );
  const V = c.vocabularySize;
  const ids = tokens.data;
  for (let r = 0; r < B * T; r++) {
    const id = ids[r]!;
    if (!Number.isInteger(id) || id < 0 || id >= V)
      throw new RangeError(`${who}: token id ${id} is not an integer in [0, ${V})`);
  }
  return { state, B, T, past };
}

/**
 * One native decoding step: tokens [B, T] after the steps in `caches` -> logits [B, T, vocab] and
 * the caches with these T steps appended (in place). Throws if the addon lacks the step.
 */
export function gptDecodeStep(
  who: string,
  w: GptStepWeights,
  tokens: Tensor,
  caches: readonly GptStepCache[] | null,
): { logits: Tensor; caches: GptStepCache[] } {
  const native = gptDecodeStepBinding();
  if (!native) throw new Error(`${who}: the native addon with gptDecodeStep is not loaded`);
  const c = w.config;
  const { state, B, T, past } = stepState(who, c, tokens, caches);
  if (w.floats.length !== stepFloatCount(c, w.bits))
    throw new RangeError(
      `${who}: the weights hold ${w.floats.length} floats, the layout needs ${stepFloatCount(c, w.bits)}`,
    );
  const V = c.vocabularySize;
  const logits = new Float32Array(B * T * V);
  const config = Float64Array.of(
    V,
    c.sequenceLength,
    c.numLayers,
    c.numHeads,
    c.hiddenDim,
    c.intermediateDim,
    w.bits,
    w.groupSize,
    c.activation === 'relu' ? 1 : 0,
    c.layerNormEpsilon,
  );
  const ids = tokens.data instanceof Int32Array ? tokens.data : Int32Array.from(tokens.data);
  native.gptDecodeStep(
    config,
    w.floats,
    w.bytes,
    w.scales,
    w.colsum,
    state.kv,
    ids,
    B,
    T,
    past,
    logits,
  );
  state.length = past + T;
  const cache: GptStepCache = { state, length: state.length };
  return {
    logits: new Tensor(logits, [B, T, V], 'float32'),
    caches: Array.from({ length: c.numLayers }, () => cache),
  };
}

/**
 * A float GPT decoded by the native step (`generate` picks it for a GPT when the addon has the
 * step): the weights copied once into the step's layout, so it sees the GPT as it was then.
 * `generate(new GptNativeDecoder(gpt), [[0]], {maxNewTokens: 20})`
 */
export class GptNativeDecoder implements CausalLM<GptStepCache> {
  readonly config: GptStepConfig;
  readonly weights: GptStepWeights;
  private readonly who: string;

  constructor(gpt: GPT) {
    this.who = `${layerLabel(gpt)} (native decoding step)`;
    if (!nativeStepSupports(gpt))
      throw new Error(`${this.who}: this GPT's structure or the addon does not support the step`);
    this.weights = floatStepWeights(gpt);
    this.config = this.weights.config;
  }

  callWithCache(
    tokens: Tensor,
    caches: readonly GptStepCache[] | null,
  ): { logits: Tensor; caches: GptStepCache[] } {
    return gptDecodeStep(this.who, this.weights, tokens, caches);
  }
}
