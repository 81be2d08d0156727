import { gptDecodeStepBinding } from '../../backends/native/kernels/gpt-decode-step.js';
import type { GPT } from '../../models/gpt.js';
import {
  concatStepFloats,
  type GptStepCache,
  type GptStepWeights,
  gptDecodeStep,
  stepState,
} from '../../models/gpt-decode-step.js';
import { Model } from '../../models/model.js';
import type { CallArgs, LayerInput } from '../../nn/engine/layer.js';
import type { SymbolicShape } from '../../nn/engine/symbolic-tensor.js';
import { layerLabel, singleInput } from '../../nn/layers/internal/args.js';
import { registerLayer } from '../../nn/layers/registry.js';
import { Tensor, type Variable } from '../../tensor/tensor.js';
import { type FloatMatrix, floatMatMul } from './float-matmul.js';
import { weightOnlyMatMul } from './matmul.js';
import { packWeightOnly, type WeightOnlyBits, type WeightOnlyMatrix } from './pack.js';

/**
 * The weight bits of a `WeightOnlyGPT`: 8 or 4 (quantized), or 32 (float32 kernels: the float
 * model on the same fused decoding loop, the fair baseline of the quantized ones).
 */
export type DecoderBits = WeightOnlyBits | 32;

/** Options of `WeightOnlyGPT`: the GPT's configuration and the weight bits and group size. */
export interface WeightOnlyGPTArgs {
  gpt: GPT['config'];
  bits: DecoderBits;
  groupSize: number;
  name?: string;
}

/**
 * The in-place key/value cache of one decoding: every block's keys and values, `length` steps
 * (the native step's layout, so the native step and the TypeScript loop share it).
 */
export type WeightOnlyCache = GptStepCache;

/**
 * How a `WeightOnlyGPT` decodes: 'native' (one native call per step for the whole decoder stack,
 * the default where the addon has it) or 'loop' (the TypeScript loop calling one native product
 * per matrix: the reference the native step is tested against).
 */
export type DecodePath = 'native' | 'loop';

/** One matrix of the decoding loop: quantized, or float32 (bits 32). */
type DecoderMatrix = WeightOnlyMatrix | FloatMatrix;

/** y [M, N] = x [M, K] · w + bias on the matrix's own kernel. */
function product(x: Float32Array, M: number, w: DecoderMatrix, y: Float32Array): void {
  if (w.bits === 32) floatMatMul(x, M, w, y);
  else weightOnlyMatMul(x, M, w, y);
}

/** The names of the quantized matrices of one block, in order. */
const BLOCK_MATRICES = ['qkv', 'attention_output', 'ffn_intermediate', 'ffn_output'] as const;

/**
 * A GPT whose Dense layers, attention projections (query, key and value fused into one matrix)
 * and tied output head hold weight-only int8 or int4 weights (`quantize(gpt, {mode:
 * 'weight-only'})` makes one). Embeddings and layer norms stay float32. Its decoding step is one
 * loop over preallocated float32 buffers: layer norm, GELU, attention over a key/value cache that
 * grows in place, and `weightOnlyMatMul` for every matrix, with no tensor made but the logits.
 * With bits 32 (`quantize(gpt, {mode: 'weight-only', bits: 32})`) the matrices stay float32 and
 * run on the native float GEMM: the same loop for the float model, to compare against fairly.
 * Inference only; it saves and loads as a Keel model file (codes and scales, not floats).
 * `generate(quantize(gpt, {mode: 'weight-only', bits: 8}) as WeightOnlyGPT, [[0]], {maxNewTokens: 50})`
 */
export class WeightOnlyGPT extends Model {
  static override className = 'WeightOnlyGPT';
  readonly config: GPT['config'];
  readonly bits: DecoderBits;
  readonly groupSize: number;
  private readonly vars = new Map<string, Variable>();
  private matrices: Map<string, DecoderMatrix> | null = null;
  private buffers = new Map<number, Record<string, Float32Array>>();
  private stepWeightsCache: GptStepWeights | null = null;
  /** The decoding path (see `DecodePath`); 'native' falls back to 'loop' without the addon. */
  decodePath: DecodePath = 'native';

  constructor(args: WeightOnlyGPTArgs) {
    super({ name: args.name });
    this.config = { ...args.gpt };
    this.bits = args.bits;
    this.groupSize = args.groupSize;
    const c = this.config;
    if (args.bits !== 8 && args.bits !== 4 && args.bits !== 32)
      throw new RangeError(
        `${layerLabel(this)}: bits must be 8, 4 or 32, got ${JSON.stringify(args.bits)}`,
      );
    if (c.activation !== 'geluApproximate' && c.activation !== 'relu')
      throw new RangeError(
        `${layerLabel(this)}: activation ${JSON.stringify(c.activation)} is not supported (geluApproximate or relu)`,
      );
    const D = c.hiddenDim;
    const f32 = (name: string, shape: number[]) =>
      this.vars.set(name, this.addWeight(name, { shape, dtype: 'float32', trainable: false }));
    f32('token_embeddings', [c.vocabularySize, D]);
    f32('position_embeddings', [c.sequenceLength, D]);
    for (let i = 0; i < c.numLayers; i++) {
      const [q, a, f1, f2] = BLOCK_MATRICES.map((m) => `block_${i}/${m}`) as [
        string,
        string,
        string,
        string,
      ];
      f32(`block_${i}/attention_norm/gamma`, [D]);
      f32(`block_${i}/attention_norm/beta`, [D]);
      this.matrix(q, D, 3 * D, true);
      this.matrix(a, D, D, true);
      f32(`block_${i}/ffn_norm/gamma`, [D]);
      f32(`block_${i}/ffn_norm/beta`, [D]);
      this.matrix(f1, D, c.intermediateDim, true);
      this.matrix(f2, c.intermediateDim, D, true);
    }
    f32('final_norm/gamma', [D]);
    f32('final_norm/beta', [D]);
    this.matrix('head', D, c.vocabularySize, false);
    this.built = true;
  }

  /**
   * The weights of one matrix [K, N]: codes (int4: two per byte), scales, bias; bits 32: the
   * float32 kernel [K, N] and bias.
   */
  private matrix(name: string, K: number, N: number, bias: boolean): void {
    const groups = this.bits === 8 ? 1 : Math.ceil(K / this.groupSize);
    const add = (suffix: string, shape: number[], dtype: 'int8' | 'uint8' | 'float32') =>
      this.vars.set(
        `${name}/${suffix}`,
        this.addWeight(`${name}/${suffix}`, { shape, dtype, trainable: false }),
      );
    if (this.bits === 32) {
      add('kernel', [K, N], 'float32');
      if (bias) add('bias', [N], 'float32');
      return;
    }
    if (this.bits === 8) add('codes', [N, K], 'int8');
    else add('codes', [N, Math.ceil(K / 2)], 'uint8');
    add('scales', [N, groups], 'float32');
    if (bias) add('bias', [N], 'float32');
  }

  /** Weight `name`'s data. */
  private v(name: string): Float32Array {
    return this.vars.get(name)!.data as Float32Array;
  }

  /**
   * Fills the weights from a float GPT of the same configuration, each matrix made by
   * `quantized` (bits 32: `floatMatrix`, a copy).
   */
  setFromGPT(
    gpt: GPT,
    quantized: (w: Float32Array, K: number, N: number, bias: Float32Array | null) => DecoderMatrix,
  ): void {
    const data = (t: Variable | null) => t!.data as Float32Array;
    this.v('token_embeddings').set(data(gpt.embedding.tokenEmbeddings));
    this.v('position_embeddings').set(data(gpt.embedding.positionEmbeddings));
    const D = this.config.hiddenDim;
    const store = (name: string, m: DecoderMatrix) => {
      if (m.bits !== this.bits)
        throw new RangeError(
          `${layerLabel(this)}: matrix ${name} has ${m.bits} bits, expected ${this.bits}`,
        );
      if (m.bits === 32) {
        this.v(`${name}/kernel`).set(m.kernel);
        if (m.bias) this.v(`${name}/bias`).set(m.bias);
        return;
      }
      const codes = this.vars.get(`${name}/codes`)!.data;
      if (this.bits === 8) codes.set(m.codes);
      else {
        const half = Math.ceil(m.K / 2);
        for (let j = 0; j < m.N; j++)
          for (let k = 0; k < m.K; k += 2) {
            const lo = m.codes[j * m.K + k]! + 8;
            const hi = k + 1 < m.K ? m.codes[j * m.K + k + 1]! + 8 : 8;
            codes[j * half + k / 2] = lo | (hi << 4);
          }
      }
      this.v(`${name}/scales`).set(m.scales);
      if (m.bias) this.v(`${name}/bias`).set(m.bias);
    };
    gpt.blocks.forEach((block, i) => {
      const mha = block.selfAttention!;
      const w = new Float32Array(D * 3 * D);
      const b = new Float32Array(3 * D);
      [mha.queryKernel, mha.keyKernel, mha.valueKernel].forEach((kernel, part) => {
        const k = data(kernel);
        for (let r = 0; r < D; r++) w.set(k.subarray(r * D, (r + 1) * D), r * 3 * D + part * D);
      });
      [mha.queryBias, mha.keyBias, mha.valueBias].forEach((bias, part) => {
        if (bias) b.set(data(bias), part * D);
      });
      store(`block_${i}/qkv`, quantized(w, D, 3 * D, b));
      const ob = mha.outputBias ? data(mha.outputBias) : new Float32Array(D);
      store(`block_${i}/attention_output`, quantized(data(mha.outputKernel), D, D, ob));
      this.v(`block_${i}/attention_norm/gamma`).set(data(block.selfAttentionNorm!.gamma));
      this.v(`block_${i}/attention_norm/beta`).set(data(block.selfAttentionNorm!.beta));
      this.v(`block_${i}/ffn_norm/gamma`).set(data(block.feedforwardNorm!.gamma));
      this.v(`block_${i}/ffn_norm/beta`).set(data(block.feedforwardNorm!.beta));
      const F = this.config.intermediateDim;
      const dense = (l: typeof block.intermediateDense, K: number, N: number) =>
        quantized(data(l!.kernel), K, N, l!.bias ? data(l!.bias) : new Float32Array(N));
      store(`block_${i}/ffn_intermediate`, dense(block.intermediateDense, D, F));
      store(`block_${i}/ffn_output`, dense(block.outputDense, F, D));
    });
    this.v('final_norm/gamma').set(data(gpt.finalNorm.gamma));
    this.v('final_norm/beta').set(data(gpt.finalNorm.beta));
    // The tied head h · Eᵀ: E [V, D] read as a kernel [D, V].
    const E = data(gpt.embedding.tokenEmbeddings);
    const V = this.config.vocabularySize;
    const head = new Float32Array(D * V);
    for (let j = 0; j < V; j++) for (let k = 0; k < D; k++) head[k * V + j] = E[j * D + k]!;
    store('head', quantized(head, D, V, null));
    this.matrices = null;
    this.stepWeightsCache = null;
  }

  /** The packed matrices, built from the weights on first use (after quantize or loadModel). */
  private packed(): Map<string, DecoderMatrix> {
    if (this.matrices) return this.matrices;
    const c = this.config;
    const D = c.hiddenDim;
    const m = new Map<string, DecoderMatrix>();
    const unpack = (name: string, K: number, N: number, bias: boolean) => {
      if (this.bits === 32) {
        const b = bias ? this.v(`${name}/bias`) : null;
        m.set(name, { bits: 32, K, N, kernel: this.v(`${name}/kernel`), bias: b });
        return;
      }
      const bits = this.bits;
      const stored = this.vars.get(`${name}/codes`)!.data;
      let codes: Int8Array;
      if (this.bits === 8) codes = stored as Int8Array;
      else {
        codes = new Int8Array(N * K);
        const half = Math.ceil(K / 2);
        for (let j = 0; j < N; j++)
          for (let k = 0; k < K; k++) {
            const byte = stored[j * half + (k >> 1)]!;
            codes[j * K + k] = ((k & 1 ? byte >> 4 : byte) & 15) - 8;
          }
      }
      m.set(
        name,
        packWeightOnly({
          bits,
          groupSize: bits === 8 ? K : this.groupSize,
          K,
          N,
          codes,
          scales: this.v(`${name}/scales`),
          bias: bias ? this.v(`${name}/bias`) : null,
        }),
      );
    };
    for (let i = 0; i < c.numLayers; i++) {
      unpack(`block_${i}/qkv`, D, 3 * D, true);
      unpack(`block_${i}/attention_output`, D, D, true);
      unpack(`block_${i}/ffn_intermediate`, D, c.intermediateDim, true);
      unpack(`block_${i}/ffn_output`, c.intermediateDim, D, true);
    }
    unpack('head', D, c.vocabularySize, false);
    this.matrices = m;
    return m;
  }

  /** The weights in the native step's layout (decode.h), built on first use like `packed`. */
  stepWeights(): GptStepWeights {
    if (this.stepWeightsCache) return this.stepWeightsCache;
    const c = this.config;
    const mats = this.packed();
    const order = [...mats.keys()];
    const part = (name: string) => {
      if (name === 'head/bias') return new Float32Array(0);
      return this.v(name);
    };
    const floats = concatStepFloats(c, this.bits, part);
    const quantized = order.map((n) => mats.get(n)!).filter((m) => m.bits !== 32);
    const concat = <A extends Uint8Array | Float32Array | Int32Array>(
      arrays: A[],
      make: (n: number) => A,
    ): A => {
      const out = make(arrays.reduce((n, a) => n + a.length, 0));
      let at = 0;
      for (const a of arrays) {
        out.set(a as never, at);
        at += a.length;
      }
      return out;
    };
    const q = quantized as WeightOnlyMatrix[];
    this.stepWeightsCache = {
      config: { ...c },
      bits: this.bits,
      groupSize: this.bits === 4 ? this.groupSize : 0,
      floats,
      bytes: concat(
        q.map((m) => m.packed),
        (n) => new Uint8Array(n),
      ),
      scales: concat(
        q.map((m) => m.packedScales),
        (n) => new Float32Array(n),
      ),
      colsum: concat(
        q.map((m) => m.colsum),
        (n) => new Int32Array(n),
      ),
    };
    return this.stepWeightsCache;
  }

  /** The quantized matrices and the parts left float32, with why (the summary's lines). */
  quantizationSummary(): { quantized: string[]; float: { name: string; reason: string }[] } {
    if (this.bits === 32)
      return {
        quantized: [],
        float: [
          { name: 'every matrix', reason: 'bits 32: the float baseline on the fused loop' },
          { name: 'token_embeddings', reason: 'a lookup table' },
          { name: 'position_embeddings', reason: 'a lookup table' },
          { name: 'layer norms', reason: 'elementwise, no matrix product' },
        ],
      };
    const quantized = [...this.packed().keys()].map(
      (n) => `${n} (int${this.bits}${this.bits === 4 ? `, groups of ${this.groupSize}` : ''})`,
    );
    const float = [
      {
        name: 'token_embeddings',
        reason: 'a lookup table; the tied head has its own quantized copy',
      },
      { name: 'position_embeddings', reason: 'a lookup table' },
      { name: 'layer norms', reason: 'elementwise, no matrix product' },
    ];
    return { quantized, float };
  }

  override build(_inputShape: SymbolicShape | SymbolicShape[]): void {
    this.built = true;
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    if (args.training)
      throw new Error(
        `${layerLabel(this)}: weight-only decoders are inference only (no gradient); train the float GPT`,
      );
    return this.callWithCache(singleInput(this, inputs), null).logits;
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    return [s[0]!, s[1]!, this.config.vocabularySize];
  }

  /** Scratch buffers for M rows, reused across calls. */
  private scratch(M: number): Record<string, Float32Array> {
    let b = this.buffers.get(M);
    if (!b) {
      const { hiddenDim: D, intermediateDim: F } = this.config;
      b = {
        h: new Float32Array(M * D),
        a: new Float32Array(M * D),
        qkv: new Float32Array(M * 3 * D),
        att: new Float32Array(M * D),
        o: new Float32Array(M * D),
        f: new Float32Array(M * F),
      };
      if (this.buffers.size > 8) this.buffers.clear();
      this.buffers.set(M, b);
    }
    return b;
  }

  /**
   * tokens [B, T] after the steps held in `caches` (from the previous call, null at the start)
   * -> logits [B, T, vocab] and the caches with these T steps appended. The cache grows in place:
   * only the caches of the latest call may be passed on.
   */
  callWithCache(
    tokens: Tensor,
    caches: readonly WeightOnlyCache[] | null,
  ): { logits: Tensor; caches: WeightOnlyCache[] } {
    const c = this.config;
    const who = layerLabel(this);
    if (this.decodePath === 'native' && gptDecodeStepBinding())
      return gptDecodeStep(who, this.stepWeights(), tokens, caches);
    const { state, B, T, past } = stepState(who, c, tokens, caches);
    const L = c.sequenceLength;
    const H = c.numHeads;
    const D = c.hiddenDim;
    const e = D / H;
    const M = B * T;
    const ids = tokens.data;
    const V = c.vocabularySize;
    const { h, a, qkv, att, o, f } = this.scratch(M);
    const mats = this.packed();
    const tok = this.v('token_embeddings');
    const pos = this.v('position_embeddings');
    for (let r = 0; r < M; r++) {
      const id = ids[r]!;
      const t = past + (r % T);
      for (let d = 0; d < D; d++) h[r * D + d] = tok[id * D + d]! + pos[t * D + d]!;
    }
    const eps = c.layerNormEpsilon;
    const scale = 1 / Math.sqrt(e);
    const scores = new Float64Array(L);
    for (let i = 0; i < c.numLayers; i++) {
      const p = `block_${i}`;
      layerNorm(
        h,
        a,
        M,
        D,
        this.v(`${p}/attention_norm/gamma`),
        this.v(`${p}/attention_norm/beta`),
        eps,
      );
      product(a, M, mats.get(`${p}/qkv`)!, qkv);
      // The native step's cache layout: [layers, 2 (keys, values), B, H, L, e].
      const plane = B * H * L * e;
      const keys = state.kv.subarray(2 * i * plane, (2 * i + 1) * plane);
      const values = state.kv.subarray((2 * i + 1) * plane, (2 * i + 2) * plane);
      for (let r = 0; r < M; r++) {
        const b = Math.floor(r / T);
        const t = past + (r % T);
        for (let hd = 0; hd < H; hd++) {
          const at = ((b * H + hd) * L + t) * e;
          keys.set(qkv.subarray(r * 3 * D + D + hd * e, r * 3 * D + D + (hd + 1) * e), at);
          values.set(
            qkv.subarray(r * 3 * D + 2 * D + hd * e, r * 3 * D + 2 * D + (hd + 1) * e),
            at,
          );
        }
      }
      for (let r = 0; r < M; r++) {
        const b = Math.floor(r / T);
        const t = past + (r % T);
        for (let hd = 0; hd < H; hd++) {
          const q0 = r * 3 * D + hd * e;
          const base = (b * H + hd) * L;
          let max = -Infinity;
          for (let j = 0; j <= t; j++) {
            let s = 0;
            const k0 = (base + j) * e;
            for (let d = 0; d < e; d++) s += qkv[q0 + d]! * keys[k0 + d]!;
            s *= scale;
            scores[j] = s;
            if (s > max) max = s;
          }
          let total = 0;
          for (let j = 0; j <= t; j++) {
            const w = Math.exp(scores[j]! - max);
            scores[j] = w;
            total += w;
          }
          const out = r * D + hd * e;
          for (let d = 0; d < e; d++) att[out + d] = 0;
          for (let j = 0; j <= t; j++) {
            const w = scores[j]! / total;
            const v0 = (base + j) * e;
            for (let d = 0; d < e; d++) att[out + d] += w * values[v0 + d]!;
          }
        }
      }
      product(att, M, mats.get(`${p}/attention_output`)!, o);
      for (let k = 0; k < M * D; k++) h[k] += o[k]!;
      layerNorm(h, a, M, D, this.v(`${p}/ffn_norm/gamma`), this.v(`${p}/ffn_norm/beta`), eps);
      product(a, M, mats.get(`${p}/ffn_intermediate`)!, f);
      if (c.activation === 'relu') for (let k = 0; k < f.length; k++) f[k] = Math.max(0, f[k]!);
      else geluTanh(f);
      product(f, M, mats.get(`${p}/ffn_output`)!, o);
      for (let k = 0; k < M * D; k++) h[k] += o[k]!;
    }
    layerNorm(h, a, M, D, this.v('final_norm/gamma'), this.v('final_norm/beta'), eps);
    const logits = new Float32Array(M * V);
    product(a, M, mats.get('head')!, logits);
    state.length = past + T;
    const cache: WeightOnlyCache = { state, length: state.length };
    return {
      logits: new Tensor(logits, [B, T, V], 'float32'),
      caches: Array.from({ length: c.numLayers }, () => cache),
    };
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, gpt: this.config, bits: this.bits, groupSize: this.groupSize };
  }

  static override fromConfig(config: Record<string, unknown>): WeightOnlyGPT {
    return new WeightOnlyGPT(config as unknown as WeightOnlyGPTArgs);
  }
}

/** y = (x - mean) / sqrt(var + eps) · gamma + beta per row of D (biased variance). */
function layerNorm(
  x: Float32Array,
  y: Float32Array,
  M: number,
  D: number,
  gamma: Float32Array,
  beta: Float32Array,
  eps: number,
): void {
  for (let r = 0; r < M; r++) {
    let mean = 0;
    for (let d = 0; d < D; d++) mean += x[r * D + d]!;
    mean /= D;
    let v = 0;
    for (let d = 0; d < D; d++) v += (x[r * D + d]! - mean) ** 2;
    const inv = 1 / Math.sqrt(v / D + eps);
    for (let d = 0; d < D; d++) y[r * D + d] = (x[r * D + d]! - mean) * inv * gamma[d]! + beta[d]!;
  }
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/** GELU, tanh form, in place: x (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2. */
function geluTanh(x: Float32Array): void {
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    x[i] = 0.5 * v * (1 + Math.tanh(SQRT_2_OVER_PI * (v + 0.044715 * v * v * v)));
  }
}

registerLayer(WeightOnlyGPT);
