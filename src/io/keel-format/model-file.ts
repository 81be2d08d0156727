import { noGrad } from '../../autograd/tape.js';
import type { LossName, MetricName } from '../../models/compile.js';
import type { Model } from '../../models/model.js';
import { withCustomObjects } from '../../nn/engine/custom-objects.js';
import { deserializeLayer, serializeLayer } from '../../nn/layers/registry.js';
import { deserializeLoss } from '../../nn/losses/get-loss.js';
import type { Loss } from '../../nn/losses/loss.js';
import { deserializeMetric, type MetricIdentifier } from '../../nn/metrics/get-metric.js';
import { zeros } from '../../tensor/create.js';
import { type DType, isDType } from '../../tensor/dtype.js';
import type { Tensor } from '../../tensor/tensor.js';
import { isJsonObject, parseJsonGuarded } from '../../utils/json-guard.js';
import { writeFileAtomic } from '../atomic-write.js';
import { activationBytes, withLoadBudget } from '../load-budget.js';
import {
  decodeSafetensors,
  readSafetensors,
  type SafetensorsContents,
} from '../safetensors-read.js';
import { encodeSafetensors } from '../safetensors-writer.js';
import {
  checkOptimizerRecord,
  encodeOptimizer,
  optimizerFromRecord,
  restoreOptimizer,
} from './optimizer-state.js';
import { decodePreprocessing, encodePreprocessing } from './preprocessing.js';
import { captureRandomState, checkRandomState, type RandomState } from './random-state.js';
import { expandSparse, SPARSE_METADATA, sparsifyEntries } from './sparse-weights.js';
// Every built-in layer must be registered before a file naming it can be loaded.
import '../../nn/layers/index.js';

/** The format name in a .keel file's metadata. */
export const FORMAT_NAME = 'keel';
/** The version of the .keel format this code writes. */
export const FORMAT_VERSION = '1';
/** The version of files with sparse weights (metadata 'sparse'), which older readers cannot load. */
export const SPARSE_FORMAT_VERSION = '2';

/** One model input as saved: shape with null for free axes, and dtype. */
export interface InputSpec {
  shape: (number | null)[];
  dtype: DType;
}

/** Options of `saveModel` / `model.save`. */
export interface SaveOptions {
  /**
   * Also store the training state: the optimizer (class, config with its schedule, iterations,
   * slots, accumulated gradients), the compile settings, the random generators' states (global
   * and per layer) and the number of epochs trained, so that `loadModel` + `fit` continues as the
   * uninterrupted run would.
   */
  includeOptimizer?: boolean;
  /** Input shapes (batch axis included, null for free axes) for a subclassed model without a graph. */
  inputShapes?: (number | null)[][];
  /** Named preprocessing that runs before the model (a TextVectorization with its vocabulary). */
  preprocessing?: Readonly<
    Record<
      string,
      {
        /** The object's settings and state (a vocabulary), stored in the file. */
        getConfig(): Record<string, unknown>;
      }
    >
  >;
}

export { defaultActivationBytes } from '../load-budget.js';

/** Options of `loadModel`. */
export interface LoadOptions {
  /**
   * Objects the file names but cannot hold, by name: the functions of Lambda layers
   * (`{customObjects: {double}}`), as Keras's custom_objects.
   */
  customObjects?: Readonly<Record<string, unknown>>;
  /** Compile the model with the saved optimizer state and losses when the file has them (default true). */
  compile?: boolean;
  /**
   * When compiling from a file saved with `includeOptimizer`, also set the global random
   * generator and the layers' own generators to their saved states (default true), so that
   * dropout and shuffling continue as in the saved run. Layers' generators are the model's own;
   * the global one is shared: pass false to leave it alone (loading a model beside a running one).
   */
  restoreRandomState?: boolean;
  /**
   * Bytes the rebuild may allocate beyond the file's own tensors (layers' weights and the forward
   * pass on zeros that infers the shapes): default the larger of 64 MiB and 16 times the file's
   * tensor bytes. A file that declares more (a huge Dense on a long input) is an error before
   * anything that large is allocated.
   */
  maxActivationBytes?: number;
}

/** What a model file saved with `includeOptimizer` holds about the run besides the optimizer. */
export interface SavedTrainingState extends RandomState {
  /** Epochs trained when saved: pass it as `fit`'s initialEpoch to continue the epoch count. */
  epoch: number;
}

const loadedEpochs = new WeakMap<Model, number>();

/**
 * Epochs `model` has been trained for: after `fit`, the next epoch index; after `loadModel`, what
 * the file says. `model.fit(x, y, {initialEpoch: trainedEpochs(model), epochs: 10})` continues.
 */
export function trainedEpochs(model: Model): number {
  const last = model.history?.epoch.at(-1);
  return last !== undefined ? last + 1 : (loadedEpochs.get(model) ?? 0);
}

/** Model → safetensors entries and metadata (architecture, weight order, input signature, optimizer). */
export function encodeModel(
  model: Model,
  options: SaveOptions = {},
  { architecture = true }: { architecture?: boolean } = {},
): { entries: [string, Tensor][]; metadata: Record<string, string> } {
  const weights = model.weights;
  const keys = uniqueKeys(weights.map((w) => w.name));
  const entries: [string, Tensor][] = weights.map((w, i) => [keys[i]!, w]);
  // Without the architecture (a training backup of a model that is not saved whole, a Distiller)
  // the file restores weights and state into the same model only; loadModel cannot read it.
  const metadata: Record<string, string> = { format: FORMAT_NAME, format_version: FORMAT_VERSION };
  if (architecture) metadata['model'] = JSON.stringify(serializeLayer(model));
  metadata['weights'] = JSON.stringify(keys);
  if (architecture)
    metadata['input_signature'] = JSON.stringify(inputSignature(model, options.inputShapes));
  if (options.preprocessing) {
    metadata['preprocessing'] = JSON.stringify(encodePreprocessing(options.preprocessing));
  }
  const compiled = model.compiled;
  if (options.includeOptimizer && compiled) {
    const { record, entries: slots } = encodeOptimizer(model, compiled.optimizer);
    metadata['optimizer'] = JSON.stringify(record);
    entries.push(...slots);
    // A loss as {className, config}: its settings (fromLogits, ...) change the training.
    const losses = compiled.losses.map((l) =>
      l
        ? {
            className: (l.constructor as unknown as { className: string }).className,
            config: l.getConfig(),
          }
        : null,
    );
    // A metric by name, or a metric object as {className, config} (AUC's curve, MeanIoU's classes).
    const metrics = compiled.metricSpecs.map((ids) =>
      ids.map((id) =>
        typeof id === 'string'
          ? id
          : {
              className: (id.constructor as unknown as { className: string }).className,
              config: id.getConfig(),
            },
      ),
    );
    metadata['compile'] = JSON.stringify({ losses, metrics, lossWeights: compiled.lossWeights });
    const training: SavedTrainingState = {
      epoch: trainedEpochs(model),
      ...captureRandomState(model),
    };
    metadata['training_state'] = JSON.stringify(training);
  }
  return { entries, metadata };
}

/**
 * Saves the architecture, the weights and (optionally) the optimizer in one file, atomically.
 * Weights that are at least half zeros (pruned) are stored sparse (`sparse-weights.ts`).
 */
export function saveModel(model: Model, path: string, options: SaveOptions = {}): void {
  if (/\.keras$/i.test(path)) {
    // A Keel file named .keras would be taken for Keras 3's zip format by every other tool.
    throw new Error(
      `model.save(${path}): '.keras' is Keras 3's format, written asynchronously (HDF5 through h5wasm): await saveKerasModel(model, '${path}')`,
    );
  }
  writeFileAtomic(path, encodeModelFile(model, options));
}

/** The bytes of a Keel model file as `saveModel` writes them, in chunks (safetensors' layout). */
export function encodeModelFile(model: Model, options: SaveOptions = {}): Uint8Array[] {
  const { entries, metadata } = encodeModel(model, options);
  const weightCount = model.weights.length;
  const sparse = sparsifyEntries(entries.slice(0, weightCount));
  if (Object.keys(sparse.shapes).length === 0) return encodeSafetensors(entries, metadata);
  metadata['format_version'] = SPARSE_FORMAT_VERSION;
  metadata[SPARSE_METADATA] = JSON.stringify(sparse.shapes);
  return encodeSafetensors([...sparse.entries, ...entries.slice(weightCount)], metadata);
}

/** Loads a model saved by `model.save(path)`; unknown layer classes must be registered first. */
export function loadModel(path: string, options: LoadOptions = {}): Model {
  if (/\.keras$/i.test(path)) {
    throw new Error(
      `loadModel(${path}): '.keras' is Keras 3's format, read asynchronously (HDF5 through h5wasm): await loadKerasModel('${path}')`,
    );
  }
  return decodeModel(readSafetensors(path), path, options);
}

/**
 * The preprocessing objects saved with a model (`model.save(path, {preprocessing: {text: tv}})`),
 * rebuilt: `const { text } = loadPreprocessing('m.keel')`. Empty when the file has none.
 */
export function loadPreprocessing(path: string): Record<string, unknown> {
  const meta = readSafetensors(path, { names: [] }).metadata;
  if (meta['preprocessing'] === undefined) return {};
  return decodePreprocessing(parseMeta(meta, 'preprocessing', path), path);
}

/** Loads a model from the bytes of a Keel model file (an upload, a fetched file). */
export function loadModelFromBytes(
  bytes: Uint8Array,
  source = 'model file',
  options: LoadOptions = {},
): Model {
  return decodeModel(decodeSafetensors(bytes, source), source, options);
}

/** Rebuilds a model from a decoded Keel file; every inconsistency is an Error naming `source`. */
export function decodeModel(
  contents: SafetensorsContents,
  source: string,
  options: LoadOptions = {},
): Model {
  const meta = contents.metadata;
  if (meta['format'] !== FORMAT_NAME) {
    throw new Error(
      `${source}: not a Keel model file (metadata format=${JSON.stringify(meta['format'])})`,
    );
  }
  const version = meta['format_version'];
  if (version !== FORMAT_VERSION && version !== SPARSE_FORMAT_VERSION) {
    throw new Error(
      `${source}: unsupported Keel format version ${JSON.stringify(meta['format_version'])}`,
    );
  }
  const arch = parseMeta(meta, 'model', source);
  if (
    !isJsonObject(arch) ||
    typeof arch['className'] !== 'string' ||
    !isJsonObject(arch['config'])
  ) {
    throw new Error(`${source}: metadata 'model' must be {className, config}`);
  }
  const keys = parseMeta(meta, 'weights', source);
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    throw new Error(`${source}: metadata 'weights' must be a list of tensor names`);
  }
  const signature = checkSignature(parseMeta(meta, 'input_signature', source), source);
  const tensors = expandSparse(meta, contents.tensors, source);
  let available = 0;
  let tensorBytes = 0;
  for (const t of tensors.values()) {
    available += t.size;
    tensorBytes += t.data.byteLength;
  }
  const extraBytes = activationBytes(options.maxActivationBytes, tensorBytes, source);
  const budget = available + 1024;
  for (const s of signature) {
    if (s.shape.reduce<number>((n, d) => n * (d ?? 1), 1) > budget) {
      throw new Error(
        `${source}: input_signature shape [${s.shape}] is larger than the file allows`,
      );
    }
  }
  const model = withCustomObjects(options.customObjects ?? {}, () =>
    rebuild(
      arch as { className: string; config: Record<string, unknown> },
      signature,
      budget,
      // The rebuilt weights (as large as the file's tensors) plus the activations of the dry run.
      tensorBytes + extraBytes,
      source,
    ),
  );
  setWeightsFrom(model, keys as string[], tensors, source);
  if (options.compile !== false && meta['optimizer'] !== undefined) {
    const record = checkOptimizerRecord(parseMeta(meta, 'optimizer', source), source);
    const optimizer = optimizerFromRecord(record, source);
    const compileConfig = parseMeta(meta, 'compile', source);
    if (isJsonObject(compileConfig) && Array.isArray(compileConfig['losses'])) {
      // Names from the file: compile validates them and throws for an unknown one (caught below).
      try {
        const metrics = ((compileConfig['metrics'] ?? []) as unknown[][]).map(savedMetrics);
        const losses = savedLosses(compileConfig['losses'] as unknown[]);
        model.compile({
          optimizer,
          loss: losses.length === 1 ? losses[0]! : losses,
          metrics: metrics.length === 1 ? metrics[0]! : metrics,
          lossWeights: compileConfig['lossWeights'] as number[] | undefined,
        });
      } catch (e) {
        throw new Error(
          `${source}: cannot compile with the saved settings: ${(e as Error).message}`,
        );
      }
      restoreOptimizer(model, optimizer, record, tensors, source);
      if (meta['training_state'] !== undefined) restoreTraining(model, meta, source, options);
    }
  }
  model.resetStates(); // building ran the layers once; stateful ones start from zeros
  return model;
}

/** The saved losses: {className, config}, or a class name in files from before configs were saved. */
function savedLosses(saved: unknown[]): (Loss | LossName | null)[] {
  return saved.map(
    (l) =>
      isJsonObject(l) && typeof l['className'] === 'string' && isJsonObject(l['config'])
        ? deserializeLoss(l as { className: string; config: Record<string, unknown> })
        : (l as LossName | null), // validated by compile
  );
}

/** The saved metrics of one output: names, or {className, config} for metric objects. */
function savedMetrics(saved: unknown[]): MetricIdentifier[] {
  return saved.map(
    (m) =>
      isJsonObject(m) && typeof m['className'] === 'string' && isJsonObject(m['config'])
        ? deserializeMetric(m as { className: string; config: Record<string, unknown> })
        : (m as MetricName), // validated by compile
  );
}

/** Applies a file's training state (epochs trained, random generators) to the rebuilt model. */
function restoreTraining(
  model: Model,
  meta: Record<string, string>,
  source: string,
  options: LoadOptions,
): void {
  const state = parseMeta(meta, 'training_state', source);
  if (
    !isJsonObject(state) ||
    !Number.isSafeInteger(state['epoch']) ||
    (state['epoch'] as number) < 0
  ) {
    throw new Error(`${source}: metadata 'training_state' must be {epoch, rng, layerRngs}`);
  }
  const apply = checkRandomState(model, state, source);
  loadedEpochs.set(model, state['epoch'] as number);
  // Rebuilding drew initial weights from the global generator; the saved state replaces it now.
  if (options.restoreRandomState !== false) apply();
}

/** Reads one JSON metadata entry with the guarded parser. */
export function parseMeta(meta: Record<string, string>, key: string, source: string): unknown {
  const text = meta[key];
  if (text === undefined) throw new Error(`${source}: metadata '${key}' is missing`);
  return parseJsonGuarded(text, `${source} metadata '${key}'`);
}

function rebuild(
  arch: { className: string; config: Record<string, unknown> },
  signature: InputSpec[],
  budget: number,
  bytes: number,
  source: string,
): Model {
  try {
    // skipInitializers: setWeightsFrom then assigns every weight from the file.
    return withLoadBudget({ weightElements: budget, bytes, skipInitializers: true }, () =>
      rebuildModel(arch, signature),
    );
  } catch (e) {
    throw new Error(`${source}: cannot rebuild the model: ${(e as Error)?.message ?? String(e)}`);
  }
}

/** Deserializes the architecture and builds it with a forward pass on zeros of the signature. */
function rebuildModel(
  arch: { className: string; config: Record<string, unknown> },
  signature: InputSpec[],
): Model {
  const model = deserializeLayer(arch) as Model;
  if (typeof (model as { compile?: unknown }).compile !== 'function') {
    throw new Error(`the top-level class '${arch.className}' is a layer, not a model`);
  }
  if (!model.built && signature.length > 0) {
    const dummies = signature.map((s) =>
      zeros(
        s.shape.map((d) => d ?? 1),
        s.dtype,
      ),
    );
    noGrad(() => model.apply(dummies.length === 1 ? dummies[0]! : dummies, { training: false }));
  }
  return model;
}

/** Assigns the file's tensors to `model.weights` in the saved order, checking names, dtypes and shapes. */
export function setWeightsFrom(
  model: Model,
  keys: readonly string[],
  tensors: ReadonlyMap<string, Tensor>,
  source: string,
): void {
  const weights = model.weights;
  if (weights.length !== keys.length) {
    throw new Error(
      `${source}: the file has ${keys.length} weights, the model has ${weights.length}`,
    );
  }
  const values = keys.map((key, i) => {
    const t = tensors.get(key);
    const w = weights[i]!;
    if (!t) throw new Error(`${source}: weight tensor '${key}' is missing`);
    if (
      t.dtype !== w.dtype ||
      t.shape.length !== w.shape.length ||
      t.shape.some((d, k) => d !== w.shape[k])
    ) {
      throw new Error(
        `${source}: weight '${key}' is ${t.dtype} [${t.shape}], the model's '${w.name}' is ${w.dtype} [${w.shape}]`,
      );
    }
    return t;
  });
  for (let i = 0; i < weights.length; i++) weights[i]!.assign(values[i]!);
}

function inputSignature(model: Model, given?: (number | null)[][]): InputSpec[] {
  if (model.graph) return model.graph.inputs.map((t) => ({ shape: [...t.shape], dtype: t.dtype }));
  if (given) return given.map((shape) => ({ shape: [...shape], dtype: model.dtype }));
  if (model.batchInputShape) return [{ shape: [...model.batchInputShape], dtype: model.dtype }];
  if (model.weights.length === 0) return [];
  throw new Error(
    `save: model '${model.name}' has no graph; pass {inputShapes: [[null, ...]]} so the file can rebuild it`,
  );
}

function checkSignature(value: unknown, source: string): InputSpec[] {
  const ok =
    Array.isArray(value) &&
    value.every(
      (s) =>
        isJsonObject(s) &&
        isDType(s['dtype']) &&
        Array.isArray(s['shape']) &&
        s['shape'].length <= 32 &&
        s['shape'].every((d) => d === null || (Number.isSafeInteger(d) && d >= 0)),
    );
  if (!ok)
    throw new Error(`${source}: metadata 'input_signature' must be a list of {shape, dtype}`);
  return value as InputSpec[];
}

/** Weight names as tensor keys, made unique with a '#n' suffix where two weights share a name. */
function uniqueKeys(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((name, i) => {
    let key = name === '__metadata__' ? `${name}#${i}` : name;
    if (seen.has(key)) key = `${name}#${i}`;
    seen.add(key);
    return key;
  });
}
