import { noGrad } from '../../autograd/tape.js';
import { Model } from '../../models/model.js';
import { Sequential } from '../../models/sequential.js';
import type { Layer } from '../../nn/engine/layer.js';
import type { SerializedObject } from '../../nn/engine/serialization.js';
import { Conv2D } from '../../nn/layers/conv2d.js';
import { Dense } from '../../nn/layers/dense.js';
import type { StaticQuantArgs } from '../../nn/layers/internal/quantized.js';
import { LSTM } from '../../nn/layers/lstm.js';
import { QuantizedConv2D } from '../../nn/layers/quantized-conv2d.js';
import { QuantizedDense } from '../../nn/layers/quantized-dense.js';
import { QuantizedLSTM } from '../../nn/layers/quantized-lstm.js';
import { deserializeLayer, serializeLayer } from '../../nn/layers/registry.js';
import type { Tensor } from '../../tensor/tensor.js';
import { allLayers } from '../all-layers.js';
import { quantizeGptWeightOnly } from '../weight-only/quantize-gpt.js';
import type { CalibrationMethod } from './calibration.js';
import { type CalibrationProgress, staticPlan, staticQuantizable } from './static-plan.js';

/** Options of `quantize`: dynamic or static, and the calibration data and method. */
export interface QuantizeOptions {
  /** 'dynamic': activation ranges per batch (Dense, LSTM). 'static': ranges calibrated once on
   * `calibrationData` (Conv2D and Dense of a Sequential model; uint8 flows between them). */
  mode: 'dynamic' | 'static' | 'weight-only';
  /**
   * 'weight-only' mode: 8 (int8 per output channel), 4 (int4 per group) or 32 (float32: no
   * quantization, the float GPT on the same fused decoding loop, the baseline to compare with).
   */
  bits?: 8 | 4 | 32;
  /** 'weight-only' int4: inputs per scale, 32, 64 or 128 (default 32, llama.cpp's Q4_0). */
  groupSize?: number;
  /** Quantize only these layers (default: every Dense, in dynamic mode every LSTM, in static
   * mode every Conv2D). */
  layers?: readonly string[];
  /** Static mode: model inputs [n, ...inputShape] (float32) on which the ranges are measured. */
  calibrationData?: Tensor;
  /** Static mode: how a range is chosen from the calibration activations (default 'minmax'). */
  calibration?: CalibrationMethod;
  /** Static mode, 'percentile' calibration: the percentile kept (default 99.99). */
  percentile?: number;
  /** Static mode: called as calibration advances (batches run, then ranges chosen per layer). */
  onProgress?: (progress: CalibrationProgress) => void;
}

const OP = 'quantize';
const className = (l: Layer) => (l.constructor as typeof Layer).className;
const isModel = (l: Layer): l is Model => l instanceof Model;

/** The layers to quantize: all the supported ones, or the named ones (each must be supported). */
function chooseLayers(
  model: Model,
  names: readonly string[] | undefined,
  mode: 'dynamic' | 'static',
): Set<string> {
  const layers = allLayers(model);
  const supported =
    mode === 'static' ? staticQuantizable : (l: Layer) => l instanceof Dense || l instanceof LSTM;
  if (names === undefined) return new Set(layers.filter(supported).map((l) => l.name));
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
    if (!supported(layer))
      throw new Error(
        `${OP}: layer '${name}' (${className(layer)}) cannot be quantized; ${mode === 'static' ? 'static quantization supports Conv2D and Dense' : 'dynamic quantization supports Dense and LSTM'}`,
      );
  }
  return new Set(names);
}

/**
 * The architecture with each chosen Dense or Conv2D entry (reached through models' layer lists)
 * swapped for its integer layer, with its static ranges when `plan` has them.
 */
function rewrite(
  obj: SerializedObject,
  chosen: Set<string>,
  plan: Map<string, StaticQuantArgs>,
): SerializedObject {
  const config = obj.config;
  const name = config['name'] as string;
  if (obj.className === 'Dense' && chosen.has(name)) {
    const { units, activation, useBias, dtype } = config;
    return {
      ...obj,
      className: QuantizedDense.className,
      config: { units, name, activation, useBias, dtype, ...plan.get(name) },
    };
  }
  if (obj.className === 'Conv2D' && chosen.has(name)) {
    const { kernelInitializer, biasInitializer, kernelRegularizer, biasRegularizer, ...rest } =
      config;
    return {
      ...obj,
      className: QuantizedConv2D.className,
      config: { ...rest, ...plan.get(name) },
    };
  }
  if (obj.className === 'LSTM' && chosen.has(name)) {
    const { unitForgetBias, ...rest } = config;
    return { ...obj, className: QuantizedLSTM.className, config: rest };
  }
  const layers = config['layers'];
  if (!Array.isArray(layers)) return obj;
  return {
    ...obj,
    config: { ...config, layers: layers.map((l: SerializedObject) => rewrite(l, chosen, plan)) },
  };
}

/**
 * Copies the weights of `from` into its rebuilt copy `to`, quantizing where `to` is int8 (with
 * the kernel scales `kernelScales` has for the layer, else max-abs ones).
 */
function copyWeights(from: Layer, to: Layer, kernelScales: KernelScales): void {
  if (
    (to instanceof QuantizedDense && from instanceof Dense) ||
    (to instanceof QuantizedConv2D && from instanceof Conv2D)
  ) {
    to.setFromFloat(from.kernel!, from.bias, kernelScales.get(from.name));
    return;
  }
  if (to instanceof QuantizedLSTM && from instanceof LSTM) {
    to.setFromFloat(from.kernel!, from.recurrentKernel!, from.bias);
    return;
  }
  if (isModel(from) && isModel(to)) {
    const a = from.layers;
    const b = to.layers;
    for (let i = 0; i < a.length; i++) copyWeights(a[i]!, b[i]!, kernelScales);
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
 * Post-training quantization (issue 12): a new model whose chosen layers run integer kernels —
 * int8 kernels symmetric per output channel, uint8 activations, int32 accumulation.
 * 'dynamic': every Dense and LSTM (or those in `layers`) becomes a `QuantizedDense` whose input is
 * ranged per batch and whose output is dequantized, or a `QuantizedLSTM` (int8 input and
 * recurrent kernels, x ranged per call and h per step, float32 gates). 'static': the ranges are calibrated once on
 * `calibrationData` (`calibration`: 'minmax', 'percentile' or 'entropy'); every Conv2D and
 * Dense of a Sequential model (or those in `layers`) becomes a `QuantizedConv2D` or
 * `QuantizedDense` that requantizes to uint8 (bias and relu fused) when the next computing
 * layer is integer too, so a Conv2D/MaxPooling2D/Flatten/Dense chain runs on integers end to end
 * (max pooling on uint8 is exact). 'weight-only' (GPT models): see `WeightOnlyGPT`; int8 or
 * int4 weights, activations quantized per row inside each product (bits 32: float32 matrices on
 * the same fused decoding loop, the float baseline). Other layers stay float (`quantizationReport` lists them and
 * why). The original model is not changed. Inference only.
 * `const q = quantize(model, { mode: 'static', calibrationData: xTrain.slice(0, 512) }); q.predict(x)`
 */
export function quantize(model: Model, options: QuantizeOptions): Model {
  if (!(model instanceof Model))
    throw new TypeError(`${OP}: expected a Model, got ${String(model)}`);
  const mode = options?.mode;
  if (mode === 'weight-only')
    return quantizeGptWeightOnly(model, options.bits, options.groupSize, options.layers);
  if (mode !== 'dynamic' && mode !== 'static')
    throw new RangeError(
      `${OP}: mode must be 'dynamic', 'static' or 'weight-only', got ${JSON.stringify(mode)}`,
    );
  if (!model.built || (!model.graph && !(model instanceof Sequential)))
    throw new Error(
      model.built
        ? `${OP}: model '${model.name}' is subclassed; only Sequential and functional models can be quantized`
        : `${OP}: model '${model.name}' is not built; give it an input shape or call it on data first`,
    );
  if (mode === 'static' && !(model instanceof Sequential))
    throw new Error(
      `${OP}: mode 'static' supports Sequential models; model '${model.name}' is functional (use mode 'dynamic')`,
    );
  const chosen = chooseLayers(model, options.layers, mode);
  const plan =
    mode === 'static'
      ? staticPlan(
          model as Sequential,
          chosen,
          options.calibrationData,
          {
            method: options.calibration ?? 'minmax',
            percentile: options.percentile,
          },
          options.onProgress,
        )
      : new Map<string, StaticQuantArgs>();
  return integerModel(model, chosen, plan);
}

/** Per-layer int8 kernel scales (one per output channel), by layer name. */
export type KernelScales = ReadonlyMap<string, ArrayLike<number>>;

/**
 * A new model like `model` with each `chosen` Dense/Conv2D swapped for its integer layer, with
 * the static ranges of `plan` and the kernel scales of `kernelScales` where they have the layer
 * (`quantize` and QAT's `convertQat` share it). The original model is not changed.
 */
export function integerModel(
  model: Model,
  chosen: Set<string>,
  plan: Map<string, StaticQuantArgs>,
  kernelScales: KernelScales = new Map(),
): Model {
  const copy = noGrad(() =>
    deserializeLayer(rewrite(serializeLayer(model), chosen, plan)),
  ) as Model;
  if (!copy.built)
    throw new Error(`${OP}: model '${model.name}' could not be rebuilt from its config`);
  noGrad(() => copyWeights(model, copy, kernelScales));
  return copy;
}
