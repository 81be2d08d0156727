import { noGrad } from '../../autograd/tape.js';
import type { Model } from '../../models/model.js';
import { Sequential } from '../../models/sequential.js';
import type { Conv2D } from '../../nn/layers/conv2d.js';
import type { Dense } from '../../nn/layers/dense.js';
import { fusedActivationOf } from '../../nn/layers/internal/fused-activation.js';
import type { StaticQuantArgs } from '../../nn/layers/internal/quantized.js';
import { fakeQuant } from '../../ops/fake-quant.js';
import { integerModel } from '../quantize/quantize.js';
import { passesUint8, staticQuantizable } from '../quantize/static-plan.js';
import { forgetQat, qatHandle, WEIGHT_RANGE } from './quantize-aware.js';

/** The ranges of one quantized layer, as the integer path needs them. */
export interface QatLayerRanges {
  /** One float32 scale per output channel of the kernel (int8 symmetric, zero point 0). */
  weightScale: number[];
  /** The input's float32 scale and uint8 zero point. */
  inputScale: number;
  inputZeroPoint: number;
}

/** Ranges by layer name; plain numbers, so `JSON.stringify` keeps them whole. */
export type QatRanges = Record<string, QatLayerRanges>;

/** What `convertQat` gives back. */
export interface ConvertedQat {
  /** The trained model itself, a plain float model again, its kernels on their int8 grids. */
  model: Model;
  /** The integer model: each QAT Dense/Conv2D is a static QuantizedDense/QuantizedConv2D. */
  quantized: Model;
  ranges: QatRanges;
}

/**
 * The static plan of the integer model from QAT's ranges: each layer quantizes its float input
 * with its observed (or learned) input range; in a Sequential model a relu/linear layer whose
 * next computing layer (past pooling, flattening, reshaping, dropout) is converted too
 * requantizes its output to uint8 with that layer's input range — the range QAT fake-quantized
 * those values with — so the chain runs on integers as after `quantize(..., {mode: 'static'})`.
 */
function qatPlan(model: Model, ranges: QatRanges, chosen: Set<string>) {
  const plan = new Map<string, StaticQuantArgs>();
  for (const name of chosen) {
    const r = ranges[name]!;
    plan.set(name, { inputScale: r.inputScale, inputZeroPoint: r.inputZeroPoint });
  }
  if (model instanceof Sequential) {
    const layers = model.layers;
    layers.forEach((layer, i) => {
      if (!chosen.has(layer.name)) return;
      const next = layers.slice(i + 1).find((l) => !passesUint8(l));
      const fused = fusedActivationOf((layer as Dense | Conv2D).activation);
      if (!next || !chosen.has(next.name) || (fused !== 'relu' && fused !== 'linear')) return;
      const r = ranges[next.name]!;
      const args = plan.get(layer.name)!;
      args.outputScale = r.inputScale;
      args.outputZeroPoint = r.inputZeroPoint;
    });
  }
  return plan;
}

/**
 * Ends quantization-aware training (PyTorch's convert): each kernel is replaced by its
 * fake-quantized value, so it lies exactly on its int8 grid, the final kernel and input ranges
 * are returned per layer, and `quantized` is the integer model built with them: every
 * fake-quantized Dense and Conv2D becomes a static `QuantizedDense`/`QuantizedConv2D` (int8
 * kernel with QAT's per-channel scales, uint8 input with QAT's input range, uint8 between
 * consecutive integer layers of a Sequential model); Conv1D stays float (on its grid). The
 * trained model itself is a plain float model again.
 * `const { quantized, ranges } = convertQat(model); quantized.predict(x)`
 */
export function convertQat(model: Model): ConvertedQat {
  const handle = qatHandle(model);
  if (!handle)
    throw new Error(
      `convertQat: model '${model.name}' is not prepared for quantization-aware training; call quantizeAware(model) and fit first`,
    );
  const current = handle.layers.map((l) => handle.currentRanges(l));
  const unseen = handle.layers.filter((_, i) => !current[i]!.input).map((l) => `'${l.layer.name}'`);
  if (unseen.length > 0)
    throw new Error(
      `convertQat: model '${model.name}': layers ${unseen.join(', ')} never saw a training batch, so their input ranges are unknown; fit (or call with training: true) first`,
    );
  const ranges: QatRanges = {};
  noGrad(() => {
    handle.layers.forEach(({ layer, kernel }, i) => {
      const { weight, input } = current[i]!;
      kernel.assign(fakeQuant(kernel, { ...weight, ...WEIGHT_RANGE, axis: -1 }));
      ranges[layer.name] = {
        weightScale: weight.scale,
        inputScale: input!.scale,
        inputZeroPoint: input!.zeroPoint,
      };
    });
  });
  handle.restore();
  forgetQat(model);
  const chosen = new Set(
    handle.layers.filter((l) => staticQuantizable(l.layer)).map((l) => l.layer.name),
  );
  const kernelScales = new Map(Object.entries(ranges).map(([n, r]) => [n, r.weightScale]));
  const quantized = integerModel(model, chosen, qatPlan(model, ranges, chosen), kernelScales);
  return { model, quantized, ranges };
}

/**
 * Ends quantization-aware training without converting: the layers get their own calls back and
 * the kernels keep their trained float values. A model that is not prepared comes back as is.
 * `stripQat(model).save('float.keel')`
 */
export function stripQat(model: Model): Model {
  const handle = qatHandle(model);
  if (handle) {
    handle.restore();
    forgetQat(model);
  }
  return model;
}
