import { GPT } from '../models/gpt.js';
import { reshape, slice } from '../ops/index.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor, Variable } from '../tensor/tensor.js';
import { readSafetensors } from './safetensors-read.js';

/** Options of `loadGPT2`: what the weights file cannot tell. */
export interface GPT2LoadOptions {
  /** Heads per block (GPT-2 small: 12); the file's shapes cannot tell it. */
  numHeads: number;
  layerNormEpsilon?: number;
  name?: string;
}

/**
 * Builds a GPT from GPT-2 weights with Hugging Face's tensor names (optionally prefixed
 * 'transformer.'): wte.weight [vocab, D], wpe.weight [positions, D], and per block i
 * h.{i}.ln_1.{weight,bias}, h.{i}.attn.c_attn.{weight [D, 3D], bias [3D]} (Conv1D layout: x · W + b,
 * columns q | k | v, head-major inside each), h.{i}.attn.c_proj, h.{i}.ln_2, h.{i}.mlp.c_fc
 * [D, 4D], h.{i}.mlp.c_proj [4D, D]; then ln_f. The output head is tied to wte and the MLP uses
 * GELU's tanh approximation. Sizes come from the shapes; F16/BF16 files are widened to float32.
 * `const gpt = loadGPT2('model.safetensors', {numHeads: 12})`
 */
export function loadGPT2(path: string, options: GPT2LoadOptions): GPT {
  const { tensors } = readSafetensors(path, { widenFloats: true });
  return gpt2FromTensors(tensors, options, path);
}

/** The same from tensors already in memory, keyed by the Hugging Face names. */
export function gpt2FromTensors(
  tensors: ReadonlyMap<string, Tensor>,
  options: GPT2LoadOptions,
  source = 'GPT-2 weights',
): GPT {
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
        `${source}: tensor '${prefix + name}' has shape ${formatShape(t.shape)}, expected ${formatShape(shape)}`,
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
    if (t.rank !== 2)
      throw new RangeError(
        `${source}: tensor '${prefix + name}' must be a matrix, got shape ${formatShape(t.shape)}`,
      );
  }
  const [vocab, D] = wte!.shape as [number, number];
  const positions = wpe!.shape[0]!;
  let numLayers = 0;
  while (tensors.has(`${prefix}h.${numLayers}.ln_1.weight`)) numLayers++;
  if (numLayers === 0) get('h.0.ln_1.weight', [D]);
  const H = options.numHeads;
  if (!(Number.isInteger(H) && H > 0 && D % H === 0))
    throw new RangeError(
      `${source}: numHeads=${H} must be a positive integer dividing the width ${D}`,
    );
  const K = D / H;
  const gpt = new GPT({
    vocabularySize: vocab,
    sequenceLength: positions,
    numLayers,
    numHeads: H,
    hiddenDim: D,
    intermediateDim: 4 * D,
    layerNormEpsilon: options.layerNormEpsilon ?? 1e-5,
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
}
