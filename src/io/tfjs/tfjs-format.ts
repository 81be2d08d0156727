import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TextDecoder } from 'node:util';
import type { Model } from '../../models/model.js';
import { refuseStringInput } from '../../models/prepare.js';
import { deserializeLayer, getLayerClass, serializeLayer } from '../../nn/layers/registry.js';
import { DTYPES, type DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { isJsonObject, parseJsonGuarded } from '../../utils/json-guard.js';
import { readFileSafe, resolveInside } from '../../utils/safe-file.js';
import { writeFileAtomic } from '../atomic-write.js';
import { widenToFloat32 } from '../half-float.js';
import { activationBytes, withLoadBudget } from '../load-budget.js';
import { checkedSize } from '../safetensors-read.js';
import { expandAttention } from './attention-as-layers.js';
import { keelToTfjs, tfjsToKeel } from './convert-config.js';
import { normalizeKerasTopology, numberNestedCallsForTfjs } from './keras-topology.js';
import { matchWeights } from './match-weights.js';
import { applyTfjsSemantics } from './tfjs-semantics.js';
// Every built-in layer must be registered before a file naming it can be loaded.
import '../../nn/layers/index.js';
// tfjs topologies name 'Sequential' and 'Model' (Functional): both must be registered.
import '../../models/sequential.js';

/** One weight as tfjs's weightsManifest lists it. */
export interface TfjsWeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool';
  /**
   * The converter's weight quantization (`--quantize_uint8/uint16/float16`): the stored values
   * are `dtype` and decode as `q · scale + min` (uint8, uint16) or as half floats (float16).
   */
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number };
}

/** tfjs's in-memory model artifacts (what `tf.io.fromMemory` and IOHandlers exchange). */
export interface TfjsArtifacts {
  modelTopology: Record<string, unknown>;
  weightSpecs: TfjsWeightSpec[];
  weightData: ArrayBuffer;
}

const SHARD_BYTES = 4 * 1024 * 1024;

/**
 * A Keel model as tfjs-layers artifacts (Keras topology JSON + weights in `model.weights` order).
 * MultiHeadAttention, which tfjs cannot load, is written as equivalent Dense/Dot/softmax layers.
 */
export function toTfjsArtifacts(keelModel: Model): TfjsArtifacts {
  refuseStringInput(keelModel, 'toTfjsArtifacts');
  const model = expandAttention(keelModel);
  const serialized = serializeLayer(model);
  const topology = numberNestedCallsForTfjs(keelToTfjs(serialized) as Record<string, unknown>);
  const config = topology['config'] as Record<string, unknown>;
  // tfjs's Sequential takes its input shape from the first layer.
  const built = model.graph?.inputs[0]?.shape;
  if (serialized.className === 'Sequential' && built) {
    const first = (config['layers'] as Record<string, unknown>[])[0];
    const fc = first?.['config'] as Record<string, unknown> | undefined;
    if (fc && !fc['batch_input_shape']) fc['batch_input_shape'] = built;
  }
  const weights = model.weights;
  const weightSpecs = weights.map((w) => ({
    name: w.name,
    shape: [...w.shape],
    dtype: w.dtype as TfjsWeightSpec['dtype'],
  }));
  const total = weights.reduce((n, w) => n + w.data.byteLength, 0);
  const data = new Uint8Array(total);
  let at = 0;
  for (const w of weights) {
    data.set(new Uint8Array(w.data.buffer, w.data.byteOffset, w.data.byteLength), at);
    at += w.data.byteLength;
  }
  return {
    modelTopology: { ...topology, keras_version: 'keel 0.1.0', backend: 'tensor_flow.js' },
    weightSpecs,
    weightData: data.buffer,
  };
}

/**
 * Saves a model as tfjs-layers files: `model.json` (format 'layers-model') and 4 MB weight
 * shards, each written atomically, loadable with `tf.loadLayersModel`. Returns model.json's path.
 */
export function saveTfjsModel(model: Model, dir: string): string {
  const { modelTopology, weightSpecs, weightData } = toTfjsArtifacts(model);
  mkdirSync(dir, { recursive: true });
  const bytes = new Uint8Array(weightData);
  const count = Math.max(1, Math.ceil(bytes.byteLength / SHARD_BYTES));
  const paths = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
  paths.forEach((p, i) => {
    writeFileAtomic(join(dir, p), bytes.subarray(i * SHARD_BYTES, (i + 1) * SHARD_BYTES));
  });
  const json = {
    format: 'layers-model',
    generatedBy: 'keel 0.1.0',
    convertedBy: null,
    modelTopology,
    weightsManifest: [{ paths, weights: weightSpecs }],
  };
  const path = join(dir, 'model.json');
  writeFileAtomic(path, new TextEncoder().encode(JSON.stringify(json)));
  return path;
}

/**
 * Loads a tfjs-layers model from model.json and its shards: regular files only, every shard path
 * resolved to its real path and refused unless it stays in model.json's folder (no '..', no
 * symlink out); the manifest may not name a weight twice.
 */
export function loadTfjsModel(modelJsonPath: string, options: TfjsLoadOptions = {}): Model {
  const source = modelJsonPath;
  const text = new TextDecoder('utf-8').decode(
    readFileSafe(modelJsonPath, { what: 'loadTfjsModel', maxBytes: 100_000_000 }),
  );
  const json = parseJsonGuarded(text, source, { uniqueKeys: true });
  if (!isJsonObject(json) || !isJsonObject(json['modelTopology']))
    throw new Error(`${source}: no modelTopology`);
  const manifest = json['weightsManifest'] ?? [];
  if (!Array.isArray(manifest)) throw new Error(`${source}: weightsManifest must be a list`);
  const specs: TfjsWeightSpec[] = [];
  const chunks: Uint8Array[] = [];
  for (const group of manifest) {
    if (
      !isJsonObject(group) ||
      !Array.isArray(group['paths']) ||
      !Array.isArray(group['weights'])
    ) {
      throw new Error(`${source}: each weightsManifest entry needs paths and weights`);
    }
    for (const p of group['paths']) chunks.push(readShard(dirname(modelJsonPath), p, source));
    specs.push(...(group['weights'] as TfjsWeightSpec[]));
  }
  const data = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.byteLength;
  }
  return fromTfjsArtifacts(
    {
      modelTopology: json['modelTopology'] as Record<string, unknown>,
      weightSpecs: specs,
      weightData: data.buffer,
    },
    source,
    options,
  );
}

/** Options of `loadTfjsModel` and `fromTfjsArtifacts`. */
export interface TfjsLoadOptions {
  /**
   * Bytes the rebuild may allocate beyond the weights (layers' dry runs that infer shapes):
   * default the larger of 64 MiB and 16 times the weights' bytes (see `LoadOptions`).
   */
  maxActivationBytes?: number;
}

function readShard(dir: string, p: unknown, source: string): Uint8Array {
  const real = resolveInside(dir, p, `${source}: weight shard`);
  return readFileSafe(real, { what: `${source}: weight shard '${p}'` });
}

/** Builds a Keel model from tfjs artifacts; weights are matched by name, else by position. */
export function fromTfjsArtifacts(
  artifacts: TfjsArtifacts,
  source = 'tfjs model',
  options: TfjsLoadOptions = {},
): Model {
  const tensors = decodeWeights(
    artifacts.weightSpecs,
    new Uint8Array(artifacts.weightData),
    source,
  );
  const arch = tfjsToKeel(
    normalizeKerasTopology(artifacts.modelTopology, {
      source,
      isKnownClass: (name) => getLayerClass(name) !== undefined,
      checkLayer,
    }),
  );
  if (
    !isJsonObject(arch) ||
    typeof arch['className'] !== 'string' ||
    !isJsonObject(arch['config'])
  ) {
    throw new Error(`${source}: modelTopology must be {class_name, config}`);
  }
  applyTfjsSemantics(arch, tensors);
  let elements = 1024;
  let tensorBytes = 0;
  for (const t of tensors.values()) {
    elements += t.size;
    tensorBytes += t.data.byteLength;
  }
  const extra = activationBytes(options.maxActivationBytes, tensorBytes, source);
  // Every weight is assigned from the file below (matchWeights finds one for each), so the
  // initializers are skipped; the rebuild's weights and dry runs are within the budget.
  const budget = { weightElements: elements, bytes: tensorBytes + extra, skipInitializers: true };
  let model: Model;
  try {
    model = withLoadBudget(budget, () => {
      const axes = lastAxisLayerNorms(arch['config']);
      const built = deserializeLayer({
        className: arch['className'] as string,
        config: arch['config'] as Record<string, unknown>,
      }) as Model;
      if (!built.graph)
        throw new Error(
          `the topology of class '${arch['className']}' did not build a model with inputs`,
        );
      checkLayerNormAxes(built, axes);
      return built;
    });
  } catch (e) {
    throw new Error(`${source}: cannot rebuild the model: ${(e as Error).message}`);
  }
  const values = matchWeights(model, tensors, source);
  for (const [i, w] of model.weights.entries()) w.assign(values[i]!);
  model.resetStates(); // building ran the layers once; stateful ones start from zeros
  return model;
}

/** Builds the layer from its config alone; the constructor's refusal, without its class prefix. */
function checkLayer(className: string, config: Record<string, unknown>): string | null {
  const keel = tfjsToKeel({ class_name: className, config }) as { config: Record<string, unknown> };
  if (className === 'LayerNormalization') lastAxisLayerNorms({ layers: [{ className, ...keel }] });
  try {
    getLayerClass(className)?.fromConfig(keel.config);
    return null;
  } catch (e) {
    return (e as Error).message.replace(/^\w+( '[^']*')?: /, '');
  }
}

function decodeWeights(
  specs: TfjsWeightSpec[],
  data: Uint8Array,
  source: string,
): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  let at = 0;
  if (!Array.isArray(specs)) throw new Error(`${source}: weightSpecs must be a list`);
  for (const s of specs) {
    const ok =
      isJsonObject(s) &&
      typeof s.name === 'string' &&
      Array.isArray(s.shape) &&
      s.shape.every((d) => Number.isSafeInteger(d) && d >= 0) &&
      (s.dtype === 'float32' || s.dtype === 'int32' || s.dtype === 'bool');
    if (!ok) throw new Error(`${source}: invalid weight spec ${JSON.stringify(s).slice(0, 200)}`);
    if (out.has(s.name)) {
      throw new Error(`${source}: the manifest names weight '${s.name}' twice`);
    }
    const dtype = s.dtype as DType;
    const size = checkedSize(
      s.shape,
      data.byteLength,
      `${source}: weight '${s.name}'`,
      'the weight data',
    );
    const q = s.quantization === undefined ? undefined : checkQuantization(s, source);
    const stored = q ? QUANTIZED_BYTES[q.dtype] : DTYPES[dtype].bytes;
    const bytes = size * stored;
    if (!(at + bytes <= data.byteLength)) {
      throw new Error(
        `${source}: weight '${s.name}' [${s.shape}] runs past the end of the weight data (${data.byteLength} bytes)`,
      );
    }
    const raw = data.slice(at, at + bytes);
    at += bytes;
    const arr = q ? dequantize(q, raw, size, dtype) : DTYPES[dtype].create(size);
    if (!q) new Uint8Array(arr.buffer).set(raw);
    out.set(s.name, new Tensor(arr, s.shape, dtype));
  }
  if (at !== data.byteLength) {
    throw new Error(
      `${source}: the weight data holds ${data.byteLength} bytes, the manifest describes ${at}`,
    );
  }
  return out;
}

const QUANTIZED_BYTES = { uint8: 1, uint16: 2, float16: 2 } as const;
type Quantization = Required<TfjsWeightSpec>['quantization'];

function checkQuantization(s: TfjsWeightSpec, source: string): Quantization {
  const q = s.quantization as unknown;
  const what = `${source}: weight '${s.name}' quantization ${JSON.stringify(q)?.slice(0, 120)}`;
  if (
    !isJsonObject(q) ||
    !(q['dtype'] === 'uint8' || q['dtype'] === 'uint16' || q['dtype'] === 'float16')
  )
    throw new Error(`${what}: dtype must be 'uint8', 'uint16' or 'float16'`);
  if (q['dtype'] === 'float16') {
    if (s.dtype !== 'float32')
      throw new Error(`${what}: float16 quantizes float32 weights only, not ${s.dtype}`);
    return { dtype: 'float16' };
  }
  const { scale, min } = q;
  if (
    typeof scale !== 'number' ||
    typeof min !== 'number' ||
    !Number.isFinite(scale) ||
    !Number.isFinite(min)
  )
    throw new Error(`${what}: ${q['dtype']} needs finite numbers scale and min`);
  if (s.dtype === 'bool') throw new Error(`${what}: bool weights cannot be quantized`);
  return { dtype: q['dtype'], scale, min };
}

/** The converter's decoding, as tfjs-core's io: float = q·scale + min; int32 rounds it. */
function dequantize(q: Quantization, raw: Uint8Array, size: number, dtype: DType) {
  if (q.dtype === 'float16') return widenToFloat32(raw, 'F16');
  const values = q.dtype === 'uint8' ? raw : new Uint16Array(raw.buffer, raw.byteOffset, size);
  const out = DTYPES[dtype].create(size);
  for (let i = 0; i < size; i++) {
    const v = values[i]! * q.scale! + q.min!;
    out[i] = dtype === 'int32' ? Math.round(v) : v;
  }
  return out;
}

/**
 * tfjs writes LayerNormalization's axis as a non-negative number (2 for [B, T, D]); Keel's holds
 * -1. Rewrites such axes to -1 and returns them by layer name, for `checkLayerNormAxes`.
 */
function lastAxisLayerNorms(config: unknown): Map<string, number> {
  const found = new Map<string, number>();
  const layers = isJsonObject(config) ? config['layers'] : null;
  if (!Array.isArray(layers)) return found;
  for (const l of layers) {
    if (!isJsonObject(l) || l['className'] !== 'LayerNormalization' || !isJsonObject(l['config']))
      continue;
    const c = l['config'];
    const axis = Array.isArray(c['axis']) && c['axis'].length === 1 ? c['axis'][0] : c['axis'];
    if (typeof axis === 'number' && Number.isInteger(axis) && axis > 0) {
      found.set(String(c['name'] ?? l['name']), axis);
      c['axis'] = -1;
    }
  }
  return found;
}

/** The rewritten LayerNormalization axes must be their inputs' last axes. */
function checkLayerNormAxes(model: Model, axes: Map<string, number>): void {
  for (const layer of model.layers) {
    const axis = axes.get(layer.name);
    if (axis === undefined) continue;
    for (const call of layer.inboundCalls) {
      const rank = call.inputs[0]?.shape.length;
      if (rank !== axis + 1)
        throw new Error(
          `LayerNormalization '${layer.name}': axis ${axis} is not the last axis of its rank-${rank} input; Keel normalizes the last axis only`,
        );
    }
  }
}
