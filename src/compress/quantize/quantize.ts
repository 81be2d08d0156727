import { noGrad } from '../../autograd/tape.js';
import { Model } from '../../models/model.js';
import { Sequential } from '../../models/sequential.js';
import type { Layer } from '../../nn/engine/layer.js';
import type { SerializedObject } from '../../nn/engine/serialization.js';
import { Dense } from '../../nn/layers/dense.js';
import { QuantizedDense } from '../../nn/layers/quantized-dense.js';
import { deserializeLayer, serializeLayer } from '../../nn/layers/registry.js';
import { allLayers } from '../all-layers.js';

export interface QuantizeOptions {
  /** 'dynamic': activation ranges per batch (the only mode so far; 'static' needs calibration). */
  mode: 'dynamic';
  /** Quantize only these layers (default: every Dense, nested models' included). */
  layers?: readonly string[];
}

const OP = 'quantize';
const className = (l: Layer) => (l.constructor as typeof Layer).className;
const isModel = (l: Layer): l is Model => l instanceof Model;

/** The Dense layers to quantize: all of them, or the named ones (each must exist and be a Dense). */
function chooseLayers(model: Model, names: readonly string[] | undefined): Set<string> {
  const layers = allLayers(model);
  if (names === undefined)
    return new Set(layers.filter((l) => l instanceof Dense).map((l) => l.name));
  if (!Array.isArray(names) || !names.every((n) => typeof n === 'string'))
    throw new TypeError(
      `${OP}: layers must be a list of layer names, got ${JSON.stringify(names)}`,
    );
  for (const name of names) {
    const layer = layers.find((l) => l.name === name);
    if (!layer)
      throw new Error(
        `${OP}: model '${model.name}' has no layer named '${name}'; layers are ${layers.map((l) => `'${l.name}'`).join(', ')}`,
      );
    if (!(layer instanceof Dense))
      throw new Error(
        `${OP}: layer '${name}' (${className(layer)}) cannot be quantized; dynamic quantization supports Dense only`,
      );
  }
  return new Set(names);
}

/** The architecture with each chosen Dense entry (reached through models' layer lists) swapped. */
function rewrite(obj: SerializedObject, chosen: Set<string>): SerializedObject {
  const config = obj.config;
  if (obj.className === 'Dense' && chosen.has(config['name'] as string)) {
    const { units, name, activation, useBias, dtype } = config;
    return {
      ...obj,
      className: QuantizedDense.className,
      config: { units, name, activation, useBias, dtype },
    };
  }
  const layers = config['layers'];
  if (!Array.isArray(layers)) return obj;
  return {
    ...obj,
    config: { ...config, layers: layers.map((l: SerializedObject) => rewrite(l, chosen)) },
  };
}

/** Copies the weights of `from` into its rebuilt copy `to`, quantizing where `to` is int8. */
function copyWeights(from: Layer, to: Layer): void {
  if (to instanceof QuantizedDense && from instanceof Dense) {
    to.setFromFloat(from.kernel!, from.bias);
    return;
  }
  if (isModel(from) && isModel(to)) {
    const a = from.layers;
    const b = to.layers;
    for (let i = 0; i < a.length; i++) copyWeights(a[i]!, b[i]!);
    return;
  }
  const a = from.weights;
  const b = to.weights;
  if (a.length !== b.length)
    throw new Error(
      `${OP}: internal: layer '${from.name}' rebuilt with ${b.length} weights, not ${a.length}`,
    );
  for (let i = 0; i < a.length; i++) b[i]!.assign(a[i]!);
}

/**
 * Post-training dynamic quantization (issue 12): a new model in which every Dense (or those in
 * `layers`) is a `QuantizedDense` — int8 kernel symmetric per output channel, uint8 activations
 * ranged per batch, int32 accumulation, float32 bias and activation. Other layers stay float
 * (`quantizationReport` lists them and why). The original model is not changed. Inference only.
 * `const q = quantize(model, { mode: 'dynamic' }); q.predict(x)`
 */
export function quantize(model: Model, options: QuantizeOptions): Model {
  if (!(model instanceof Model))
    throw new TypeError(`${OP}: expected a Model, got ${String(model)}`);
  if (options?.mode !== 'dynamic')
    throw new RangeError(
      `${OP}: mode must be 'dynamic' (static calibration comes next), got ${JSON.stringify(options?.mode)}`,
    );
  if (!model.built || (!model.graph && !(model instanceof Sequential)))
    throw new Error(
      model.built
        ? `${OP}: model '${model.name}' is subclassed; only Sequential and functional models can be quantized`
        : `${OP}: model '${model.name}' is not built; give it an input shape or call it on data first`,
    );
  const chosen = chooseLayers(model, options.layers);
  const copy = noGrad(() => deserializeLayer(rewrite(serializeLayer(model), chosen))) as Model;
  if (!copy.built)
    throw new Error(`${OP}: model '${model.name}' could not be rebuilt from its config`);
  noGrad(() => copyWeights(model, copy));
  return copy;
}
