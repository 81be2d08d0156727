import { Sequential } from '../../models/sequential.js';
import type { Layer } from '../../nn/engine/layer.js';
import { deserializeLayer, getLayerClass, registeredLayerNames } from '../../nn/layers/index.js';
import { suggestion } from '../../utils/suggest.js';
import { UsageError } from '../errors.js';
import type { LayerSpec } from './config.js';

/** Keys any layer accepts besides those its getConfig reports. */
const COMMON = ['name', 'trainable', 'dtype', 'inputShape', 'batchInputShape', 'inputLength'];

/** One layer from its Keras-style `{className, config}`, with unknown classes and keys named. */
export function buildLayer(spec: LayerSpec, where: string): Layer {
  if (!getLayerClass(spec.className)) {
    throw new UsageError(
      `${where}: unknown layer class '${spec.className}'${suggestion(spec.className, registeredLayerNames())}`,
    );
  }
  const config = spec.config ?? {};
  let layer: Layer;
  try {
    layer = deserializeLayer({ className: spec.className, config });
  } catch (e) {
    throw new UsageError(`${where} (${spec.className}): ${(e as Error).message}`);
  }
  const known = [...new Set([...COMMON, ...Object.keys(layer.getConfig())])];
  for (const key of Object.keys(config)) {
    if (!known.includes(key)) {
      throw new UsageError(
        `${where}: ${spec.className} has no option '${key}'${suggestion(key, known)}`,
      );
    }
  }
  return layer;
}

/**
 * A Sequential model from a list of layer specs (`model.layers` of a training config; `section`
 * names the config section in errors, 'student' for `keel distill`).
 */
export function buildSequential(
  specs: readonly LayerSpec[],
  source: string,
  name?: string,
  section = 'model',
): Sequential {
  const layers = specs.map((s, i) => buildLayer(s, `${source}: ${section}.layers[${i}]`));
  try {
    return new Sequential(layers, name === undefined ? {} : { name });
  } catch (e) {
    throw new UsageError(`${source}: ${section}.layers: ${(e as Error).message}`);
  }
}
