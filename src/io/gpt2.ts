import { GPT } from '../models/gpt.js';
import { reshape, slice } from '../ops/index.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor, Variable } from '../tensor/tensor.js';
import { activationBytes, withLoadBudget } from './load-budget.js';
import { readSafetensors } from './safetensors-read.js';

/**
 * The sizes of a GPT-2, as Hugging Face's config.json names them; every one given is checked
 * against the tensors' shapes before anything is allocated.
 */
export interface GPT2Config {
  n_embd?: number;
  n_head?: number;
  n_layer?: number;
  vocab_size?: number;
  n_positions?: number;
  layer_norm_epsilon?: number;
}

/** Options of `loadGPT2`: what the weights file cannot tell. */
export interface GPT2LoadOptions {
  /** Heads per block (GPT-2 small: 12); the file's shapes cannot tell it. Or config.n_head. */
  numHeads?: number;
  /** The model's config.json (parsed); its sizes must agree with the tensors. */
  config?: GPT2Config;
  layerNormEpsilon?: number;
  name?: string;
  /** Bytes building may allocate beyond the tensors (see `LoadOptions.maxActivationBytes`). */
  maxActivationBytes?: number;
}

/**
 * Builds a GPT from GPT-2 weights with Hugging Face's tensor names (optionally prefixed
 * 'transformer.'): wte.weight [vocab, D], wpe.weight [positions, D], and per block i
 * h.{i}.ln_1.{weight,bias}, h.{i}.attn.c_attn.{weight [D, 3D], bias [3D]} (Conv1D layout: x · W + b,
 * columns q | k | v, head-major inside each), h.{i}.attn.c_proj, h.{i}.ln_2, h.{i}.mlp.c_fc
 * [D, 4D], h.{i}.mlp.c_proj [4D, D]; then ln_f. The output head is tied to wte and the MLP uses
 * GELU's tanh approximation. Sizes come from the shapes (and `config`, checked against them);
 * F16/BF16 files are widened to float32. `const gpt = loadGPT2('model.safetensors', {numHeads: 12})`
 */
export function loadGPT2(path: string, options: GPT2LoadOptions): GPT {
  const { tensors } = readSafetensors(path, { widenFloats: true });
  return gpt2FromTensors(tensors, options, path);
}

const CONFIG_SIZES = ['n_embd', 'n_head', 'n_layer', 'vocab_size', 'n_positions'] as const;

/** The config's sizes, each a positive integer when given; anything else is an error naming it. */
function checkConfig(config: unknown, source: string): GPT2Config {
  if (config === undefined) return {};
  if (config === null || typeof config !== 'object' || Array.isArray(config))
    throw new TypeError(`${source}: config must be an object (config.json), got ${typeof config}`);
  const c = config as Record<string, unknown>;
  for (const key of CONFIG_SIZES) {
    const v = Object.hasOwn(c, key) ? c[key] : undefined;
    if (v !== undefined && !(Number.isSafeInteger(v) && (v as number) > 0))
      throw new RangeError(
        `${source}: config ${key} must be a positive integer, got ${JSON.stringify(v) ?? String(v)}`,
      );
  }
  const eps = Object.hasOwn(c, 'layer_norm_epsilon') ? c['layer_norm_epsilon'] : undefined;
  if (eps !== undefined && !(typeof eps === 'number' && Number.isFinite(eps) && eps > 0))
    throw new RangeError(`${source}: config layer_norm_epsilon must be a positive number`);
  return c as GPT2Config;
}

/** The same from tensors already in memory, keyed by the Hugging Face names. */
export function gpt2FromTensors(
  tensors: ReadonlyMap<string, Tensor>,
  options: GPT2LoadOptions,
  source = 'GPT-2 weights',
): GPT {
  const config = checkConfig(options.config, source);
  const configNote = options.config ? ' (from the config and the file)' : '';
  const prefix = tensors.has('wte.weight')
    ? ''
    : tensors.has('transformer.wte.weight')
      ? 'transformer.'
      : '';
  const get = (name: string, shape: number[]): Tensor => {
    const t = tensors.get(prefix + name);
    if (!t)
      throw new Error(
        `${source}: missing tensor '${prefix + name}' (the file has ${tensors.size} tensors)`,
      );
    if (t.dtype !== 'float32')
      throw new TypeError(
        `${source}: tensor '${prefix + name}' has dtype ${t.dtype}; expected a float type`,
      );
    if (t.rank !== shape.length || t.shape.some((d, i) => d !== shape[i]))
      throw new RangeError(
        `${source}: tensor '${prefix + name}' has shape ${formatShape(t.shape)}, expected ${formatShape(shape)}${configNote}`,
      );
    return t;
  };
  const wte = tensors.get(`${prefix}wte.weight`);
  const wpe = tensors.get(`${prefix}wpe.weight`);
  for (const [name, t] of [
    ['wte.weight', wte],
    ['wpe.weight', wpe],
  ] as const) {
    if (!t)
      throw new Error(
        `${source}: missing tensor '${prefix + name}' (the file has ${tensors.size} tensors)`,
      );
    if (t.rank !== 2 || t.shape.some((d) => d === 0))
      throw new RangeError(
        `${source}: tensor '${prefix + name}' must be a non-empty matrix, got shape ${formatShape(t.shape)}`,
      );
  }
  const vocab = config.vocab_size ?? wte!.shape[0]!;
  const D = config.n_embd ?? wte!.shape[1]!;
  const positions = config.n_positions ?? wpe!.shape[0]!;
  let blocksInFile = 0;
  while (tensors.has(`${prefix}h.${blocksInFile}.ln_1.weight`)) blocksInFile++;
  const numLayers = config.n_layer ?? Math.max(1, blocksInFile);
  if (blocksInFile > numLayers)
    throw new RangeError(
      `${source}: the file has ${blocksInFile} blocks (h.0 to h.${blocksInFile - 1}), config n_layer=${numLayers}`,
    );
  if (
    options.numHeads !== undefined &&
    config.n_head !== undefined &&
    options.numHeads !== config.n_head
  )
    throw new RangeError(
      `${source}: numHeads=${options.numHeads} disagrees with config n_head=${config.n_head}`,
    );
  const H = (options.numHeads ?? config.n_head) as number;
  if (!(Number.isSafeInteger(H) && H > 0 && D % H === 0))
    throw new RangeError(
      `${source}: numHeads=${H} must be a positive integer dividing the width ${D}`,
    );
  // Every tensor is checked before the model (as large as the file) is allocated.
  const expected: [string, number[]][] = [
    ['wte.weight', [vocab, D]],
    ['wpe.weight', [positions, D]],
    ['ln_f.weight', [D]],
    ['ln_f.bias', [D]],
  ];
  for (let i = 0; i < numLayers; i++) {
    const p = `h.${i}.`;
    expected.push(
      [`${p}ln_1.weight`, [D]],
      [`${p}ln_1.bias`, [D]],
      [`${p}attn.c_attn.weight`, [D, 3 * D]],
      [`${p}attn.c_attn.bias`, [3 * D]],
      [`${p}attn.c_proj.weight`, [D, D]],
      [`${p}attn.c_proj.bias`, [D]],
      [`${p}ln_2.weight`, [D]],
      [`${p}ln_2.bias`, [D]],
      [`${p}mlp.c_fc.weight`, [D, 4 * D]],
      [`${p}mlp.c_fc.bias`, [4 * D]],
      [`${p}mlp.c_proj.weight`, [4 * D, D]],
      [`${p}mlp.c_proj.bias`, [D]],
    );
  }
  let elements = 0;
  for (const [name, shape] of expected) elements += get(name, shape).size;
  const extra = activationBytes(options.maxActivationBytes, elements * 4, source);
  // The model's weights (the tensors' size, not initialized: every one is assigned below) plus
  // the reshaped copies made while assigning.
  const budget = { weightElements: elements, bytes: 8 * elements + extra, skipInitializers: true };
  return withLoadBudget(budget, () => {
    const K = D / H;
    const gpt = new GPT({
      vocabularySize: vocab,
      sequenceLength: positions,
      numLayers,
      numHeads: H,
      hiddenDim: D,
      intermediateDim: 4 * D,
      layerNormEpsilon: options.layerNormEpsilon ?? config.layer_norm_epsilon ?? 1e-5,
      activation: 'geluApproximate',
      name: options.name,
    });
    const set = (v: Variable | null, value: Tensor) => v!.assign(reshape(value, v!.shape));
    set(gpt.embedding.tokenEmbeddings, get('wte.weight', [vocab, D]));
    set(gpt.embedding.positionEmbeddings, get('wpe.weight', [positions, D]));
    gpt.blocks.forEach((block, i) => {
      const p = `h.${i}.`;
      const attn = block.selfAttention!;
      const qkvW = get(`${p}attn.c_attn.weight`, [D, 3 * D]);
      const qkvB = get(`${p}attn.c_attn.bias`, [3 * D]);
      const parts = [
        [attn.queryKernel, attn.queryBias],
        [attn.keyKernel, attn.keyBias],
        [attn.valueKernel, attn.valueBias],
      ] as const;
      parts.forEach(([kernel, bias], j) => {
        set(kernel, reshape(slice(qkvW, [0, j * D], [D, D]), [D, H, K]));
        set(bias, reshape(slice(qkvB, [j * D], [D]), [H, K]));
      });
      set(attn.outputKernel, reshape(get(`${p}attn.c_proj.weight`, [D, D]), [H, K, D]));
      set(attn.outputBias, get(`${p}attn.c_proj.bias`, [D]));
      set(block.selfAttentionNorm!.gamma, get(`${p}ln_1.weight`, [D]));
      set(block.selfAttentionNorm!.beta, get(`${p}ln_1.bias`, [D]));
      set(block.feedforwardNorm!.gamma, get(`${p}ln_2.weight`, [D]));
      set(block.feedforwardNorm!.beta, get(`${p}ln_2.bias`, [D]));
      set(block.intermediateDense!.kernel, get(`${p}mlp.c_fc.weight`, [D, 4 * D]));
      set(block.intermediateDense!.bias, get(`${p}mlp.c_fc.bias`, [4 * D]));
      set(block.outputDense!.kernel, get(`${p}mlp.c_proj.weight`, [4 * D, D]));
      set(block.outputDense!.bias, get(`${p}mlp.c_proj.bias`, [D]));
    });
    set(gpt.finalNorm.gamma, get('ln_f.weight', [D]));
    set(gpt.finalNorm.beta, get('ln_f.bias', [D]));
    return gpt;
  });
}
