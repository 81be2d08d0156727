import { noGrad } from '../autograd/tape.js';
import { getBackend } from '../backends/registry.js';
import type { AttentionCache } from '../nn/layers/multi-head-attention.js';
import { getRng, Rng } from '../random/rng.js';
import { tensor } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { GPT } from './gpt.js';
import { GptNativeDecoder, nativeStepSupports } from './gpt-decode-step.js';

/**
 * A causal language model that can decode incrementally (GPT, or WeightOnlyGPT with its own
 * cache type C).
 */
export interface CausalLM<C = AttentionCache> {
  readonly config: { sequenceLength: number; vocabularySize: number };
  /**
   * Runs `tokens` through the model reusing the attention caches of earlier steps; returns the
   * logits and the extended caches.
   */
  callWithCache(
    tokens: Tensor,
    caches: readonly C[] | null,
    args?: { training?: boolean },
  ): { logits: Tensor; caches: C[] };
}

/**
 * Options of `generate`: length, sampling (temperature, top-k, top-p), seed, cache and streaming.
 */
export interface GenerateOptions {
  maxNewTokens: number;
  /** Divides the logits; 0 means greedy (argmax). Default 1. */
  temperature?: number;
  /** Sample only among the k most likely tokens. */
  topK?: number;
  /** Sample only among the most likely tokens whose probabilities sum to at least p (nucleus). */
  topP?: number;
  /** Seeds a generator of its own, so the same call gives the same tokens. */
  seed?: number;
  /** Reuse the attention keys and values of earlier steps (default true); false recomputes everything. */
  useCache?: boolean;
  /**
   * Called after each step with the new token of every row (streaming); returning false stops
   * the generation there, so the rows hold the tokens made so far.
   */
  onToken?: (tokens: number[], step: number) => boolean | undefined;
  /**
   * How a float GPT decodes: 'auto' (default) takes the native decoding step (the whole decoder
   * stack in one native call per step, weights copied once per call of `generate`) when the native
   * backend is active and the GPT has the plain structure, else the layers; 'layers' forces the layer-by-layer
   * path. Other models decode their own way.
   */
  decoder?: 'auto' | 'layers';
}

/**
 * Autoregressive generation: appends `maxNewTokens` tokens to each prompt row, sampled from
 * softmax(logits / temperature) restricted by topK / topP (or greedy with temperature 0).
 * With the key/value cache each step feeds only the newest token; once the sequence outgrows the
 * model's context, the last `sequenceLength` tokens are recomputed each step (nanoGPT's crop).
 * Returns the prompt followed by the new tokens, one array per row.
 * `generate(gpt, [[0, 5, 7]], {maxNewTokens: 20, temperature: 0.8, topK: 10, seed: 1})`
 */
export function generate<C = AttentionCache>(
  model: CausalLM<C>,
  prompt: readonly number[] | readonly (readonly number[])[],
  options: GenerateOptions,
): number[][] {
  const rows = (typeof prompt[0] === 'number' ? [prompt as number[]] : (prompt as number[][])).map(
    (r) => [...r],
  );
  const { maxNewTokens, temperature = 1, topK, topP, seed, useCache = true, onToken } = options;
  const decoder = options.decoder ?? 'auto';
  if (decoder !== 'auto' && decoder !== 'layers')
    throw new RangeError(`generate: decoder must be 'auto' or 'layers', got ${String(decoder)}`);
  checkOptions(rows, maxNewTokens, temperature, topK, topP, model.config.vocabularySize);
  // The native step only where the native backend is the active one (KEEL_BACKEND=ts stays on
  // the layers, TypeScript kernels throughout).
  const native = decoder === 'auto' && getBackend() === 'native';
  if (native && model instanceof GPT && nativeStepSupports(model))
    return generate(new GptNativeDecoder(model), rows, { ...options, decoder: 'layers' });
  const rng = seed === undefined ? getRng() : new Rng(seed);
  const context = model.config.sequenceLength;
  const B = rows.length;
  let caches: C[] | null = null;
  return noGrad(() => {
    for (let step = 0; step < maxNewTokens; step++) {
      const total = rows[0]!.length;
      let input: number[][];
      let cached = false;
      if (useCache && total <= context) {
        cached = true;
        input = caches ? rows.map((r) => [r[total - 1]!]) : rows;
      } else {
        input = rows.map((r) => r.slice(Math.max(0, total - context)));
      }
      const ids = tensor(Int32Array.from(input.flat()), [B, input[0]!.length], 'int32');
      const out = model.callWithCache(ids, cached ? caches : null);
      if (cached) caches = out.caches;
      const [, T, V] = out.logits.shape as [number, number, number];
      for (let b = 0; b < B; b++) {
        const logits = out.logits.data.subarray((b * T + T - 1) * V, (b * T + T) * V);
        rows[b]!.push(pickToken(logits as Float32Array, temperature, topK, topP, rng));
      }
      const newest = rows.map((r) => r[r.length - 1]!);
      if (onToken?.(newest, step) === false) break;
    }
    return rows;
  });
}

function checkOptions(
  rows: number[][],
  maxNewTokens: number,
  temperature: number,
  topK: number | undefined,
  topP: number | undefined,
  vocab: number,
): void {
  if (rows.length === 0 || rows[0]!.length === 0 || rows.some((r) => r.length !== rows[0]!.length))
    throw new RangeError('generate: the prompt must be non-empty, with rows of equal length');
  for (const r of rows)
    for (const t of r)
      if (!Number.isInteger(t) || t < 0 || t >= vocab)
        throw new RangeError(`generate: prompt token ${t} is not an integer in [0, ${vocab})`);
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 0)
    throw new RangeError(
      `generate: maxNewTokens must be a non-negative integer, got ${maxNewTokens}`,
    );
  if (!(temperature >= 0))
    throw new RangeError(`generate: temperature must be >= 0, got ${temperature}`);
  if (topK !== undefined && !(Number.isInteger(topK) && topK >= 1))
    throw new RangeError(`generate: topK must be a positive integer, got ${topK}`);
  if (topP !== undefined && !(topP > 0 && topP <= 1))
    throw new RangeError(`generate: topP must be in (0, 1], got ${topP}`);
}

/** The next token from one row of logits. */
function pickToken(
  logits: Float32Array,
  temperature: number,
  topK: number | undefined,
  topP: number | undefined,
  rng: Rng,
): number {
  const V = logits.length;
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < V; i++) if (logits[i]! > logits[best]!) best = i;
    return best;
  }
  // Candidates by descending logit (ties by index), cut to topK, then softmax, then cut to topP.
  const order = Array.from({ length: V }, (_, i) => i).sort(
    (a, b) => logits[b]! - logits[a]! || a - b,
  );
  const kept = order.slice(0, topK ?? V);
  const max = logits[kept[0]!]!;
  const probs = kept.map((i) => Math.exp((logits[i]! - max) / temperature));
  let total = probs.reduce((a, b) => a + b, 0);
  let n = kept.length;
  if (topP !== undefined) {
    let cum = 0;
    for (n = 0; n < kept.length; ) {
      cum += probs[n]! / total;
      n++;
      if (cum >= topP) break;
    }
    total = probs.slice(0, n).reduce((a, b) => a + b, 0);
  }
  let u = rng.uniform() * total;
  for (let i = 0; i < n; i++) {
    u -= probs[i]!;
    if (u < 0) return kept[i]!;
  }
  return kept[n - 1]!;
}
