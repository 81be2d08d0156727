/**
 * Keras 3's native `.keras` model files: a zip of `config.json` (the serialized model),
 * `metadata.json` and `model.weights.h5` (the variables, in Keras's H5IOStore layout). Keel reads
 * the files Keras 3.0–3.x writes (and Keras 2.13's `_layer_checkpoint_dependencies` variant) and
 * writes files in Keras 3's layout. Optimizer variables (`optimizer/vars`) are neither read nor
 * written: a loaded model is ready for inference or a fresh `compile`.
 */
import { TextDecoder } from 'node:util';
import type { Model } from '../../models/model.js';
import { weightBudget } from '../../nn/engine/layer.js';
import { deserializeLayer, serializeLayer } from '../../nn/layers/registry.js';
import { parseJsonGuarded } from '../../utils/json-guard.js';
import { readFileSafe } from '../../utils/safe-file.js';
import { writeFileAtomic } from '../atomic-write.js';
import { type H5Variable, openH5Weights, writeH5Weights } from './h5-store.js';
import { keelToKerasConfig, kerasConfigToKeel, layerOrders } from './keras-config.js';
import { kerasGroupVariants, kerasVariableSlots } from './variable-paths.js';
import { type KerasZipLimits, readKerasZip, writeKerasZip } from './zip-container.js';
// Every built-in layer and both model classes must be registered before a file names them.
import '../../nn/layers/index.js';
import '../../models/sequential.js';

/** The Keras version whose file layout Keel writes (recorded in metadata.json). */
export const KERAS_FORMAT_VERSION = '3.0.0';

/**
 * Saves a Sequential or functional model as a Keras 3 `.keras` file, atomically (temp file in the
 * same folder, then rename). Needs the optional package h5wasm. Layers Keras lacks are written
 * under `registered_name: 'keel>ClassName'`, which only Keel reads back.
 * `await saveKerasModel(model, 'mnist.keras')`
 */
export async function saveKerasModel(model: Model, path: string): Promise<void> {
  const what = `saveKerasModel(${path})`;
  if (!model.graph) {
    throw new Error(
      `${what}: model '${model.name}' (${(model.constructor as unknown as { className: string }).className}) has no functional graph; the .keras format holds Sequential and functional models (save subclassed models with model.save('m.keel'))`,
    );
  }
  const serialized = serializeLayer(model);
  const config = keelToKerasConfig(serialized, model);
  const slots = kerasVariableSlots(model);
  const variables: H5Variable[] = [];
  const names = new Map<string, string>();
  const taken = new Set<string>();
  for (const w of model.weights) {
    const slot = slots.get(w);
    const key = slot && `${slot.group}/vars/${slot.index}`;
    if (!slot || !key || taken.has(key)) {
      throw new Error(`${what}: weight '${w.name}' has no place of its own in the Keras layout`);
    }
    taken.add(key);
    variables.push({ group: slot.group, index: slot.index, value: w });
    names.set(slot.group, slot.layerName);
  }
  const weights = await writeH5Weights(variables, names, what);
  const metadata = {
    keras_version: KERAS_FORMAT_VERSION,
    date_saved: new Date().toISOString().replace(/T(\d\d:\d\d:\d\d).*/, '@$1'),
    written_by: 'keel',
  };
  writeFileAtomic(
    path,
    writeKerasZip({ config: JSON.stringify(config), metadata: JSON.stringify(metadata), weights }),
  );
}

/** Limits on what loading a `.keras` file may read and inflate. */
export interface KerasLoadOptions extends KerasZipLimits {
  /** The largest `.keras` file accepted, in bytes (default 4 GiB). */
  maxFileBytes?: number;
}

/**
 * Loads a Keras 3 `.keras` file as a Keel model (Sequential or functional), its weights checked
 * shape by shape. Needs the optional package h5wasm.
 * `const model = await loadKerasModel('mnist.keras'); model.predict(x)`
 */
export async function loadKerasModel(path: string, options: KerasLoadOptions = {}): Promise<Model> {
  const bytes = readFileSafe(path, {
    what: 'loadKerasModel',
    maxBytes: options.maxFileBytes ?? 4 * 1024 * 1024 * 1024,
  });
  return loadKerasModelFromBytes(bytes, path, options);
}

/** Loads a model from the bytes of a `.keras` file (an upload, a fetched file). */
export async function loadKerasModelFromBytes(
  bytes: Uint8Array,
  source = '.keras file',
  options: KerasZipLimits = {},
): Promise<Model> {
  const zip = readKerasZip(bytes, source, options);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(zip.config);
  const json = parseJsonGuarded(text, `${source}: config.json`, { uniqueKeys: true });
  const arch = kerasConfigToKeel(json, source);
  const previous = { ...weightBudget };
  // The file's weights bound what the config may allocate: no weight holds more elements than
  // the HDF5 file has bytes.
  weightBudget.remaining = Math.min(previous.remaining, (zip.weights?.byteLength ?? 0) + 1024);
  weightBudget.skipInitializers = true;
  let model: Model;
  try {
    model = deserializeLayer(arch) as Model;
    if (!model.graph) {
      throw new Error(`class '${arch.className}' did not build a model with inputs`);
    }
  } catch (e) {
    throw new Error(`${source}: cannot rebuild the model: ${(e as Error).message}`);
  } finally {
    weightBudget.remaining = previous.remaining;
    weightBudget.skipInitializers = previous.skipInitializers;
  }
  const weights = model.weights;
  if (weights.length === 0) return model;
  if (!zip.weights) {
    throw new Error(
      `${source}: the model has ${weights.length} weights but the archive has no model.weights.h5`,
    );
  }
  const orders = layerOrders(arch);
  const slots = kerasVariableSlots(model, '', (m) => orders.get(m.name));
  const reader = await openH5Weights(zip.weights, source);
  try {
    const groups = new Map<string, { found: string; expected: number; owner: string }>();
    for (const w of weights) {
      const slot = slots.get(w)!;
      const entry = groups.get(slot.group);
      if (entry) {
        entry.expected++;
        continue;
      }
      const found = kerasGroupVariants(slot.group).find((g) => reader.varNames(g).length > 0);
      if (found === undefined) {
        throw new Error(
          `${source}: ${slot.owner} has no variables in model.weights.h5 (looked for '${slot.group}/vars')`,
        );
      }
      groups.set(slot.group, { found, expected: 1, owner: slot.owner });
    }
    for (const [group, { found, expected, owner }] of groups) {
      const have = reader.varNames(found).length;
      if (have !== expected) {
        throw new Error(
          `${source}: ${owner} has ${expected} variables in Keel, the file has ${have} in '${group}/vars'`,
        );
      }
    }
    for (const w of weights) {
      const slot = slots.get(w)!;
      const { found, owner } = groups.get(slot.group)!;
      w.assign(reader.read(found, String(slot.index), w.shape, w.dtype, owner));
    }
  } finally {
    reader.close();
  }
  model.resetStates();
  return model;
}
