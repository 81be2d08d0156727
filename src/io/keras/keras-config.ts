/**
 * A `.keras` file's `config.json` (Keras 3's serialized model) ↔ Keel's configs. Reading reuses
 * the TensorFlow.js reader's normalization of Keras topologies (`tfjs/keras-topology.ts`: module
 * keys, dtype policies, `batch_shape`, `__keras_tensor__` nodes, nested node numbering) and its
 * snake_case → camelCase conversion; writing produces Keras 3's form: every object as
 * `{module, class_name, config, registered_name}`, a Sequential's InputLayer in its layer list,
 * functional calls as `{args: [__keras_tensor__ …], kwargs}`, nested Functional calls numbered
 * from 1. Layers Keras does not have are written under `registered_name: 'keel>ClassName'`.
 */
import type { Model } from '../../models/model.js';
import type { Layer } from '../../nn/engine/layer.js';
import type { SerializedObject } from '../../nn/engine/serialization.js';
import { getLayerClass } from '../../nn/layers/registry.js';
import { isJsonObject } from '../../utils/json-guard.js';
import { TFJS_HARD_SIGMOID, tfjsToKeel } from '../tfjs/convert-config.js';
import { normalizeKerasTopology } from '../tfjs/keras-topology.js';

type Json = Record<string, unknown>;

/** Keel layer classes that Keras 3 does not have; they are written as `keel>ClassName`. */
export const KEEL_ONLY_LAYERS: ReadonlySet<string> = new Set([
  'ArgMax',
  'FakeQuantize',
  'QuantizedConv2D',
  'QuantizedDense',
  'QuantizedLSTM',
  'RotaryEmbedding',
  'SinusoidalPositionEncoding',
  'Slice',
  'TokenAndPositionEmbedding',
  'TransformerDecoder',
  'TransformerEncoder',
]);

/** Where Keras 3 serializes a class from, by the kind of object. */
const MODULES: Readonly<Record<string, string>> = {
  initializer: 'keras.initializers',
  regularizer: 'keras.regularizers',
  constraint: 'keras.constraints',
  layer: 'keras.layers',
};

const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

const dtypePolicy = (name: unknown) => ({
  module: 'keras',
  class_name: 'DTypePolicy',
  config: { name: typeof name === 'string' ? name : 'float32' },
  registered_name: null,
});

/** A nested `{className, config}` (initializer, regularizer, sublayer) in Keras 3's form. */
function kerasObject(obj: SerializedObject, key: string): Json {
  const isLayer = getLayerClass(obj.className) !== undefined;
  if (isLayer) return layerEntry(obj);
  const kind = /initializer$/i.test(key)
    ? 'initializer'
    : /regularizer$/i.test(key)
      ? 'regularizer'
      : /constraint$/i.test(key)
        ? 'constraint'
        : 'layer';
  return {
    module: MODULES[kind],
    class_name: obj.className,
    config: configValue(obj.config ?? {}, key) as Json,
    registered_name: null,
  };
}

/** A config value with its keys in snake_case and nested objects in Keras 3's form. */
function configValue(value: unknown, key: string): unknown {
  if (Array.isArray(value)) return value.map((v) => configValue(v, key));
  if (!isJsonObject(value)) {
    if (/(^a|A)ctivation$/.test(key) && typeof value === 'string') {
      return value === TFJS_HARD_SIGMOID ? 'hard_sigmoid' : snake(value);
    }
    return value;
  }
  if (typeof value['className'] === 'string' && 'config' in value) {
    return kerasObject(value as unknown as SerializedObject, key);
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) out[snake(k)] = configValue(v, k);
  return out;
}

/** One layer's `{module, class_name, config, registered_name}` (no graph keys). */
function layerEntry(obj: SerializedObject, live?: Layer): Json {
  const cls = obj.className;
  if (cls === 'Sequential' || cls === 'Functional') return modelEntry(obj, live as Model);
  const config: Json = {};
  for (const [k, v] of Object.entries(obj.config ?? {})) {
    if (k === 'buildInputShape') continue;
    config[snake(k)] = configValue(v, k);
  }
  if (cls === 'InputLayer') {
    config['batch_shape'] = config['batch_input_shape'];
    delete config['batch_input_shape'];
    config['sparse'] ??= false;
  } else {
    config['dtype'] = dtypePolicy(config['dtype']);
  }
  const keelOnly = KEEL_ONLY_LAYERS.has(cls);
  const entry: Json = {
    module: keelOnly ? 'keel.layers' : MODULES['layer'],
    class_name: cls,
    config,
    registered_name: keelOnly ? `keel>${cls}` : null,
  };
  const shape = live?.inboundCalls[0]?.inputs.map((t) => [...t.shape]);
  if (shape && shape.length > 0)
    entry['build_config'] = { input_shape: shape.length === 1 ? shape[0] : shape };
  return entry;
}

/** A `__keras_tensor__` reference to output `tensor` of call `node` of layer `name`. */
function kerasTensor(
  model: Model | undefined,
  name: string,
  node: number,
  tensor: number,
  shift: number,
): Json {
  const layer = model?.layers.find((l) => l.name === name);
  const t = layer?.inboundCalls[node]?.outputs[tensor];
  return {
    class_name: '__keras_tensor__',
    config: {
      shape: t ? [...t.shape] : null,
      dtype: t?.dtype ?? 'float32',
      keras_history: [name, node + shift, tensor],
    },
  };
}

/** A Sequential or Functional model's entry in Keras 3's form. */
function modelEntry(obj: SerializedObject, model: Model | undefined): Json {
  const c = obj.config ?? {};
  const layers = Array.isArray(c['layers']) ? (c['layers'] as Json[]) : [];
  const liveByName = new Map((model?.layers ?? []).map((l) => [l.name, l]));
  const config: Json = {
    name: c['name'],
    trainable: c['trainable'] ?? true,
    dtype: dtypePolicy('float32'),
  };
  let inputShape: unknown = null;
  if (obj.className === 'Sequential') {
    const list = layers.map((l) => {
      const sub = l as unknown as SerializedObject;
      const entry = layerEntry(sub, liveByName.get(String(sub.config?.['name'])));
      delete (entry['config'] as Json)['batch_input_shape'];
      return entry;
    });
    const first = layers[0]?.['config'] as Json | undefined;
    inputShape = c['buildInputShape'] ?? first?.['batchInputShape'] ?? null;
    if (inputShape) {
      list.unshift({
        module: MODULES['layer'],
        class_name: 'InputLayer',
        config: {
          batch_shape: inputShape,
          dtype: String(first?.['dtype'] ?? 'float32'),
          sparse: false,
          name: `${String(c['name'])}_input`,
        },
        registered_name: null,
      });
    }
    config['layers'] = list;
  } else {
    // Keras 3 numbers a nested Functional model's calls from 1 (building it made node 0).
    const nested = new Set(
      layers.filter((l) => l['className'] === 'Functional').map((l) => String(l['name'])),
    );
    const shiftOf = (name: string) => (nested.has(name) ? 1 : 0);
    config['layers'] = layers.map((l) => {
      const name = String(l['name']);
      const entry = layerEntry(l as unknown as SerializedObject, liveByName.get(name));
      entry['name'] = name;
      const nodes = Array.isArray(l['inboundNodes']) ? (l['inboundNodes'] as unknown[][][]) : [];
      entry['inbound_nodes'] = nodes.map((node) => {
        const refs = node.map((r) =>
          kerasTensor(model, String(r[0]), Number(r[1]), Number(r[2]), shiftOf(String(r[0]))),
        );
        const kwargs = isJsonObject(node[0]?.[3]) ? (node[0]![3] as Json) : {};
        return { args: refs.length === 1 ? refs : [refs], kwargs: configValue(kwargs, '') };
      });
      return entry;
    });
    for (const [from, to] of [
      ['inputLayers', 'input_layers'],
      ['outputLayers', 'output_layers'],
    ] as const) {
      const ends = Array.isArray(c[from]) ? (c[from] as unknown[][]) : [];
      config[to] = ends.map((r) => [r[0], Number(r[1]) + shiftOf(String(r[0])), r[2]]);
    }
    inputShape = model?.graph?.inputs.map((t) => [...t.shape]) ?? null;
    if (Array.isArray(inputShape) && inputShape.length === 1) inputShape = inputShape[0];
  }
  const functional = obj.className === 'Functional';
  return {
    module: functional ? 'keras.src.models.functional' : 'keras',
    class_name: obj.className,
    config,
    registered_name: functional ? 'Functional' : null,
    build_config: { input_shape: inputShape },
  };
}

/**
 * Keel's serialized model (`serializeLayer(model)`) as the contents of a `.keras` config.json;
 * `model` supplies the tensor shapes Keras 3 records in calls and build configs.
 */
export function keelToKerasConfig(serialized: SerializedObject, model: Model): Json {
  return { ...layerEntry(serialized, model), compile_config: null };
}

/** Keras 3's wrappers that Keel's readers do not use: dtype policies become their names. */
function unwrapKeras3(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapKeras3);
  if (!isJsonObject(value)) return value;
  const cls = value['class_name'];
  if (typeof cls === 'string' && /DTypePolicy$/.test(cls) && isJsonObject(value['config'])) {
    const name = value['config']['name'];
    return typeof name === 'string' && !name.startsWith('mixed_') ? name : 'float32';
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    // Bookkeeping of how Keras serialized the object; Keel rebuilds from class_name and config
    // (a Keel-only layer's registered_name 'keel>X' names the same class as class_name X).
    if (
      typeof cls === 'string' &&
      (k === 'module' || k === 'registered_name' || k === 'build_config')
    )
      continue;
    out[k] = unwrapKeras3(v);
  }
  return out;
}

/** Keras 3's hard_sigmoid is relu6(x + 3) / 6, Keel's own: undo the tfjs reader's renaming. */
function keras3Activations(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => keras3Activations(v, key));
  if (!isJsonObject(value)) {
    return /(^a|A)ctivation$/.test(key) && value === TFJS_HARD_SIGMOID ? 'hard_sigmoid' : value;
  }
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) out[k] = keras3Activations(v, k);
  return out;
}

/** A `.keras` config.json → Keel's `{className, config}`; unsupported layers are listed in one error. */
export function kerasConfigToKeel(json: unknown, source: string): SerializedObject {
  if (!isJsonObject(json) || typeof json['class_name'] !== 'string') {
    throw new Error(`${source}: config.json must be a serialized Keras model {class_name, config}`);
  }
  const normalized = normalizeKerasTopology(unwrapKeras3(json) as Json, {
    source,
    isKnownClass: (name) => getLayerClass(name) !== undefined,
  });
  const arch = keras3Activations(tfjsToKeel(normalized));
  if (
    !isJsonObject(arch) ||
    typeof arch['className'] !== 'string' ||
    !isJsonObject(arch['config'])
  ) {
    throw new Error(`${source}: config.json must be a serialized Keras model {class_name, config}`);
  }
  return { className: arch['className'], config: arch['config'] };
}

/** Each model config's layer names in file order, by model name (Keras numbers layers in it). */
export function layerOrders(arch: SerializedObject): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const walk = (obj: unknown) => {
    if (!isJsonObject(obj) || !isJsonObject(obj['config'])) return;
    const c = obj['config'];
    if (Array.isArray(c['layers'])) {
      const names = c['layers'].map((l) =>
        String(
          isJsonObject(l)
            ? (l['name'] ?? (isJsonObject(l['config']) ? l['config']['name'] : ''))
            : '',
        ),
      );
      out.set(String(c['name']), names);
      for (const l of c['layers']) walk(l);
    }
  };
  walk(arch);
  return out;
}
