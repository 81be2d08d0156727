import { noGrad } from '../../autograd/tape.js';
import type { Model } from '../../models/model.js';
import { fakeQuant } from '../../ops/fake-quant.js';
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

/**
 * Ends quantization-aware training (PyTorch's convert): each kernel is replaced by its
 * fake-quantized value, so it lies exactly on its int8 grid, and the final kernel and input
 * ranges are returned per layer. The model is a plain float model again.
 * `const { model: m, ranges } = convertQat(model); JSON.stringify(ranges)`
 */
export function convertQat(model: Model): { model: Model; ranges: QatRanges } {
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
  return { model, ranges };
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
