import type { Model } from '../../models/model.js';
import type { Layer } from '../../nn/engine/layer.js';
import { Dense } from '../../nn/layers/dense.js';
import { LSTM } from '../../nn/layers/lstm.js';
import { QuantizedConv2D } from '../../nn/layers/quantized-conv2d.js';
import { QuantizedDense } from '../../nn/layers/quantized-dense.js';
import { QuantizedLSTM } from '../../nn/layers/quantized-lstm.js';
import { allLayers } from '../all-layers.js';

/** One layer of a quantized model: int8 or float, and why it stayed float. */
export interface QuantizedLayerEntry {
  layer: string;
  className: string;
  quantized: boolean;
  /** Why the layer stayed float (absent when quantized). */
  reason?: string;
}

/** Which layers of a model run integer kernels and which stay float, one line each. */
export class QuantizationReport {
  constructor(readonly layers: readonly QuantizedLayerEntry[]) {}

  get quantized(): string[] {
    return this.layers.filter((e) => e.quantized).map((e) => e.layer);
  }

  get float(): string[] {
    return this.layers.filter((e) => !e.quantized).map((e) => e.layer);
  }

  /** One line per layer: int8, or float with the reason it stayed float. */
  toString(): string {
    return this.layers
      .map((e) => `${e.layer} (${e.className}): ${e.quantized ? 'int8' : `float, ${e.reason}`}`)
      .join('\n');
  }
}

function reasonFor(layer: Layer): string {
  if (layer instanceof Dense || layer instanceof LSTM) return 'not among the layers asked for';
  if ((layer.constructor as typeof Layer).className === 'Conv2D')
    return "int8 in mode 'static' only, or not among the layers asked for";
  return `no int8 ${(layer.constructor as typeof Layer).className} kernel yet`;
}

/**
 * The quantization report of a model (as made by `quantize`, or loaded from a file): every layer
 * with weights, int8 or float with the reason. `console.log(String(quantizationReport(q)))`
 */
export function quantizationReport(model: Model): QuantizationReport {
  return new QuantizationReport(
    allLayers(model)
      .filter((l) => l.weights.length > 0)
      .map((l) => {
        const className = (l.constructor as typeof Layer).className;
        return l instanceof QuantizedDense ||
          l instanceof QuantizedConv2D ||
          l instanceof QuantizedLSTM
          ? { layer: l.name, className, quantized: true }
          : { layer: l.name, className, quantized: false, reason: reasonFor(l) };
      }),
  );
}
