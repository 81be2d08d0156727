/**
 * The layouts of a Keras model topology that real files carry, brought to one form before Keel
 * reads it: tfjs-layers' own (Keras 2's snake_case JSON with `class_name`/`config`, inbound nodes
 * as `[layer, node, tensor, kwargs]` lists), with node indices counted from Keel's first call.
 *
 * The variants, and who writes them:
 * - `tensorflowjs_converter` wraps the Keras config: `{keras_version, backend, model_config,
 *   training_config}`; tfjs's own `model.save` writes `{class_name, config, keras_version, backend}`.
 * - Keras 3 (and the converter on Keras 3 models): `module`/`registered_name`/`build_config` keys,
 *   dtype policies as objects, InputLayer `batch_shape`, inbound nodes as
 *   `{args: [__keras_tensor__ ...], kwargs}`, single-input models' `input_layers` as one reference.
 * - Keras 2: BatchNormalization `axis` as a list, GRUs without `reset_after` (Keras < 2.3 and
 *   tfjs applied the reset gate first), class names of TF 1.13 (`BatchNormalizationV1`,
 *   `UnifiedLSTM`), Sequential configs that are a bare list of layers (Keras < 2.2.3).
 * - Keras 1 spellings where the mapping is one to one (`output_dim`, `nb_filter`, `border_mode`).
 * - Nested models: Keras 2, tfjs and Keras 3 (for Functional) number a nested model's calls from
 *   1, because building it with its own Input made node 0; Keel numbers calls from 0.
 *
 * Everything Keel cannot load (unknown layer classes, layers that run Python or TensorFlow code,
 * arguments whose value Keel does not implement) is collected over the whole topology and reported
 * in one error, so a user learns every obstacle at once.
 */
import { isJsonObject } from '../../utils/json-guard.js';

type Json = Record<string, unknown>;

/** Class names that older Keras and TensorFlow versions wrote for layers Keel has. */
const CLASS_ALIASES: Readonly<Record<string, string>> = {
  BatchNormalizationV1: 'BatchNormalization',
  BatchNormalizationV2: 'BatchNormalization',
  UnifiedLSTM: 'LSTM',
  UnifiedGRU: 'GRU',
  Convolution1D: 'Conv1D',
  Convolution2D: 'Conv2D',
  MaxPool1D: 'MaxPooling1D',
  MaxPool2D: 'MaxPooling2D',
  AvgPool1D: 'AveragePooling1D',
  AvgPool2D: 'AveragePooling2D',
  GlobalMaxPool1D: 'GlobalMaxPooling1D',
  GlobalMaxPool2D: 'GlobalMaxPooling2D',
  GlobalAvgPool1D: 'GlobalAveragePooling1D',
  GlobalAvgPool2D: 'GlobalAveragePooling2D',
};

/** Layers whose computation is code stored in the file (Python bytecode or TensorFlow ops). */
const CODE_LAYERS = new Set(['Lambda', 'TensorFlowOpLayer', 'TFOpLambda', 'SlicingOpLambda']);

/** Keras 1 argument names with a one-to-one Keras 2 equivalent. */
const KERAS1_ARGS: Readonly<Record<string, string>> = {
  output_dim: 'units',
  nb_filter: 'filters',
  border_mode: 'padding',
  subsample: 'strides',
  subsample_length: 'strides',
  filter_length: 'kernel_size',
  pool_length: 'pool_size',
  inner_activation: 'recurrent_activation',
  dropout_W: 'dropout',
  dropout_U: 'recurrent_dropout',
  W_regularizer: 'kernel_regularizer',
  U_regularizer: 'recurrent_regularizer',
  b_regularizer: 'bias_regularizer',
};

/** Keys that describe how a file was written, not what the layer computes. */
const BOOKKEEPING = new Set(['module', 'registered_name', 'build_config', 'compile_config']);

const MODEL_CLASSES = new Set(['Sequential', 'Functional', 'Model']);

export interface NormalizeOptions {
  /** Whether a layer class is one Keel can build (after aliasing). */
  isKnownClass: (className: string) => boolean;
  /** Names the file in errors. */
  source: string;
  /**
   * Tries one known layer's (snake_case) config; returns why Keel refuses it, or null. Lets every
   * argument value Keel's constructors reject join the one combined error.
   */
  checkLayer?: (className: string, config: Json) => string | null;
}

/**
 * Returns the topology as `{class_name, config}` in tfjs-layers' form, or throws one error that
 * lists every unsupported layer and argument.
 */
export function normalizeKerasTopology(topology: Json, options: NormalizeOptions): Json {
  let root: unknown = topology;
  if (isJsonObject(topology['model_config'])) root = topology['model_config'];
  if (!isJsonObject(root) || typeof root['class_name'] !== 'string') {
    throw new Error(
      `${options.source}: modelTopology must be {class_name, config} or the converter's {model_config: {class_name, config}}`,
    );
  }
  const problems: string[] = [];
  const out = normalizeLayer(root, problems, options, []);
  if (problems.length > 0) {
    throw new Error(
      `${options.source}: cannot load this model; ${problems.length} unsupported item(s):\n  - ${problems.join('\n  - ')}`,
    );
  }
  return out;
}

function normalizeLayer(
  entry: Json,
  problems: string[],
  options: NormalizeOptions,
  path: string[],
) {
  const raw = String(entry['class_name']);
  const className = Object.hasOwn(CLASS_ALIASES, raw) ? CLASS_ALIASES[raw]! : raw;
  const config0 = entry['config'];
  const layerName = String(
    (isJsonObject(config0) ? config0['name'] : undefined) ?? entry['name'] ?? className,
  );
  const where = [...path, layerName].join('/');
  const out: Json = {};
  for (const [k, v] of Object.entries(entry)) {
    if (BOOKKEEPING.has(k)) continue;
    out[k] = v;
  }
  out['class_name'] = className;

  if (className === 'Sequential') {
    // Keras < 2.2.3 wrote a Sequential's config as the bare list of its layers.
    const config = Array.isArray(config0) ? { layers: config0 } : { ...(config0 as Json) };
    config['layers'] = sequentialLayers(config['layers'], problems, options, [...path, layerName]);
    out['config'] = cleanConfig(config, className, where, problems);
    return out;
  }
  if (!isJsonObject(config0)) {
    problems.push(`layer '${where}' (${className}) has no config object`);
    return out;
  }
  if (CODE_LAYERS.has(className)) {
    problems.push(
      `layer '${where}' is a ${className}: it runs Python or TensorFlow code stored in the file, which Keel does not execute; rebuild that part with Keras layers`,
    );
  } else if (!MODEL_CLASSES.has(className) && !options.isKnownClass(className)) {
    problems.push(`layer '${where}' has class '${className}', which Keel does not have`);
  }
  const before = problems.length;
  const config = cleanConfig({ ...config0 }, className, where, problems);
  if (className === 'Functional' || className === 'Model') {
    normalizeFunctional(config, problems, options, [...path, layerName]);
  }
  for (const key of ['layer', 'backward_layer']) {
    if (isJsonObject(config[key])) {
      config[key] = normalizeLayer(config[key] as Json, problems, options, [...path, layerName]);
    }
  }
  // A wrapper whose inner layer was refused would only repeat that refusal.
  if (
    problems.length === before &&
    !MODEL_CLASSES.has(className) &&
    !CODE_LAYERS.has(className) &&
    options.isKnownClass(className)
  ) {
    const why = options.checkLayer?.(className, config);
    if (why) problems.push(`layer '${where}' (${className}): ${why}`);
  }
  out['config'] = config;
  return out;
}

/** Keras 3 lists a Sequential's InputLayer among its layers; tfjs puts its shape on the first layer. */
function sequentialLayers(
  list: unknown,
  problems: string[],
  options: NormalizeOptions,
  path: string[],
): Json[] {
  if (!Array.isArray(list)) {
    problems.push(`Sequential '${path.join('/')}' has no list of layers`);
    return [];
  }
  const layers = list.filter(isJsonObject).map((l) => normalizeLayer(l, problems, options, path));
  const first = layers[0];
  if (first?.['class_name'] === 'InputLayer' && layers.length > 1) {
    const input = first['config'] as Json;
    const next = { ...(layers[1]!['config'] as Json) };
    if (next['batch_input_shape'] === undefined)
      next['batch_input_shape'] = input['batch_input_shape'];
    layers[1] = { ...layers[1]!, config: next };
    return layers.slice(1);
  }
  return layers;
}

/** One layer's arguments in Keras 2's spelling, with what Keel cannot honour reported. */
function cleanConfig(config: Json, className: string, where: string, problems: string[]): Json {
  for (const [from, to] of Object.entries(KERAS1_ARGS)) {
    if (from === 'output_dim' && className === 'Embedding') continue; // Keras 2's own argument
    if (from in config && !(to in config)) config[to] = config[from];
    delete config[from];
  }
  if ('nb_row' in config && 'nb_col' in config && !('kernel_size' in config)) {
    config['kernel_size'] = [config['nb_row'], config['nb_col']];
  }
  delete config['nb_row'];
  delete config['nb_col'];
  if (config['bias'] === true || config['bias'] === false) {
    config['use_bias'] = config['bias'];
    delete config['bias'];
  }
  if (config['dim_ordering'] === 'th') config['data_format'] = 'channels_first';
  delete config['dim_ordering'];
  for (const k of BOOKKEEPING) delete config[k];
  // Keras 3 dtype policies: {class_name: 'DTypePolicy', config: {name: 'float32'}}. Mixed
  // precision keeps float32 weights; Keel computes them in float32.
  const dtype = config['dtype'];
  if (isJsonObject(dtype)) {
    const name = isJsonObject(dtype['config']) ? dtype['config']['name'] : undefined;
    config['dtype'] = typeof name === 'string' && !name.startsWith('mixed_') ? name : 'float32';
  } else if (typeof dtype === 'string' && dtype.startsWith('mixed_')) config['dtype'] = 'float32';
  if (className === 'InputLayer') {
    if (config['batch_input_shape'] === undefined && Array.isArray(config['batch_shape'])) {
      config['batch_input_shape'] = config['batch_shape'];
    }
    delete config['batch_shape'];
    delete config['optional'];
  }
  if (className === 'BatchNormalization' && Array.isArray(config['axis'])) {
    const axes = config['axis'];
    if (axes.length === 1) config['axis'] = axes[0];
    else
      problems.push(
        `layer '${where}' (BatchNormalization) normalizes several axes ${JSON.stringify(axes)}; Keel normalizes one`,
      );
  }
  if (className === 'GRU' && config['reset_after'] === undefined) {
    // Keras < 2.3 and tfjs (which omits the key in old versions) applied the reset gate first.
    config['reset_after'] = false;
  }
  // GroupNormalization's `groups` is its own argument, not a grouped convolution's.
  if (
    className !== 'GroupNormalization' &&
    typeof config['groups'] === 'number' &&
    config['groups'] !== 1
  ) {
    problems.push(
      `layer '${where}' (${className}) has groups=${config['groups']}; Keel's convolutions have one group`,
    );
  }
  if (config['data_format'] === 'channels_first') {
    problems.push(
      `layer '${where}' (${className}) has data_format 'channels_first'; Keel computes channels_last only`,
    );
  }
  if (config['time_major'] === true) {
    problems.push(
      `layer '${where}' (${className}) has time_major=true; Keel's recurrent layers take [batch, steps, features]`,
    );
  }
  return config;
}

/** A Keras 3 `__keras_tensor__` reference → `[layer, node, tensor]`. */
function kerasTensorRef(v: unknown): [string, number, number] | null {
  if (!isJsonObject(v) || v['class_name'] !== '__keras_tensor__' || !isJsonObject(v['config']))
    return null;
  const h = v['config']['keras_history'];
  return Array.isArray(h) && h.length === 3 ? [String(h[0]), Number(h[1]), Number(h[2])] : null;
}

/** Every Keras tensor in a Keras 3 call's arguments, in order (nested lists flattened). */
function tensorsIn(v: unknown, out: [string, number, number][]): void {
  const ref = kerasTensorRef(v);
  if (ref) out.push(ref);
  else if (Array.isArray(v)) for (const x of v) tensorsIn(x, out);
}

/** Keras 3's `{args, kwargs}` call → Keras 2's list of `[layer, node, tensor, kwargs]`. */
function keras3Node(node: Json): unknown[] {
  const refs: [string, number, number][] = [];
  tensorsIn(node['args'], refs);
  const kwargs: Json = {};
  const kw = isJsonObject(node['kwargs']) ? node['kwargs'] : {};
  for (const [k, v] of Object.entries(kw)) {
    const before = refs.length;
    tensorsIn(v, refs);
    if (refs.length === before) kwargs[k] = v;
  }
  return refs.map((r, i) => [...r, i === 0 ? kwargs : {}]);
}

function isNodeRef(v: unknown): v is [string, number, number, ...unknown[]] {
  return Array.isArray(v) && typeof v[0] === 'string' && typeof v[1] === 'number';
}

/**
 * A functional config's layers, calls and ends in Keras 2's form, nested models' node indices
 * counted from 0 as Keel does.
 */
function normalizeFunctional(
  config: Json,
  problems: string[],
  options: NormalizeOptions,
  path: string[],
): void {
  const layers = Array.isArray(config['layers']) ? config['layers'].filter(isJsonObject) : [];
  const keras3 = layers.some(
    (l) =>
      Array.isArray(l['inbound_nodes']) &&
      l['inbound_nodes'].some((n) => isJsonObject(n) && 'args' in n),
  );
  // Which nested models number their calls from 1 (Keras 2 and tfjs: every nested model that
  // made a node when it was built; Keras 3: nested Functional models only).
  const shifted = new Set<string>();
  config['layers'] = layers.map((l) => {
    const name = String(l['name'] ?? (l['config'] as Json | undefined)?.['name']);
    const cls = String(l['class_name']);
    if (MODEL_CLASSES.has(cls) && (cls !== 'Sequential' || (!keras3 && sequentialHasInput(l)))) {
      shifted.add(name);
    }
    const normalized = normalizeLayer(l, problems, options, path);
    const inbound = Array.isArray(l['inbound_nodes']) ? l['inbound_nodes'] : [];
    normalized['inbound_nodes'] = inbound.map((node) =>
      isJsonObject(node) ? keras3Node(node) : Array.isArray(node) ? node : [],
    );
    normalized['name'] = name;
    return normalized;
  });
  const shift = (ref: unknown): unknown => {
    if (!isNodeRef(ref) || !shifted.has(ref[0])) return ref;
    return [ref[0], ref[1] - 1, ...ref.slice(2)];
  };
  for (const l of config['layers'] as Json[]) {
    l['inbound_nodes'] = (l['inbound_nodes'] as unknown[][]).map((node) => node.map(shift));
  }
  for (const key of ['input_layers', 'output_layers']) {
    const ends = config[key];
    // Keras 3 writes a single-input model's ends as one reference, not a list of them.
    const list = isNodeRef(ends) ? [ends] : Array.isArray(ends) ? ends : [];
    config[key] = list.map(shift);
  }
}

function sequentialHasInput(entry: Json): boolean {
  const config = entry['config'];
  const layers = Array.isArray(config) ? config : isJsonObject(config) ? config['layers'] : null;
  if (!Array.isArray(layers) || !isJsonObject(layers[0])) return false;
  const first = layers[0];
  const c = isJsonObject(first['config']) ? first['config'] : {};
  return (
    first['class_name'] === 'InputLayer' ||
    c['batch_input_shape'] !== undefined ||
    c['batch_shape'] !== undefined
  );
}

/**
 * The inverse of the node renumbering above, for writing: tfjs and Keras 2 count a nested model's
 * calls from 1 (its node 0 is the one its own Input made), Keel from 0. Works on tfjs's
 * snake_case topology, in place, at every level of nesting.
 */
export function numberNestedCallsForTfjs(topology: Json): Json {
  const config = topology['config'];
  if (!isJsonObject(config) || !Array.isArray(config['layers'])) return topology;
  const layers = config['layers'].filter(isJsonObject);
  for (const l of layers) numberNestedCallsForTfjs(l);
  if (topology['class_name'] !== 'Model' && topology['class_name'] !== 'Functional')
    return topology;
  const nested = new Set(
    layers.filter((l) => MODEL_CLASSES.has(String(l['class_name']))).map((l) => String(l['name'])),
  );
  const shift = (ref: unknown): unknown =>
    isNodeRef(ref) && nested.has(ref[0]) ? [ref[0], ref[1] + 1, ...ref.slice(2)] : ref;
  for (const l of layers) {
    if (Array.isArray(l['inbound_nodes'])) {
      l['inbound_nodes'] = l['inbound_nodes'].map((node) =>
        Array.isArray(node) ? node.map(shift) : node,
      );
    }
  }
  for (const key of ['input_layers', 'output_layers']) {
    if (Array.isArray(config[key])) config[key] = config[key].map(shift);
  }
  return topology;
}
