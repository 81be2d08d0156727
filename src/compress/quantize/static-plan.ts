import { noGrad } from '../../autograd/tape.js';
import type { Sequential } from '../../models/sequential.js';
import type { Layer } from '../../nn/engine/layer.js';
import { Conv2D } from '../../nn/layers/conv2d.js';
import { Dense } from '../../nn/layers/dense.js';
import { Dropout } from '../../nn/layers/dropout.js';
import { Flatten } from '../../nn/layers/flatten.js';
import { fusedActivationOf } from '../../nn/layers/internal/fused-activation.js';
import type { StaticQuantArgs } from '../../nn/layers/internal/quantized.js';
import { MaxPooling2D } from '../../nn/layers/max-pooling2d.js';
import { Reshape } from '../../nn/layers/reshape.js';
import { slice } from '../../ops/index.js';
import { formatShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import { type CalibrationOptions, calibrateUint8 } from './calibration.js';

const OP = 'quantize';

/**
 * One step of static calibration: stage 'activations' counts calibration batches run through the
 * float model (`layer` is the layer that just ran), stage 'ranges' counts the chosen layers whose
 * ranges are chosen (`layer` is the one being calibrated).
 */
export interface CalibrationProgress {
  stage: 'activations' | 'ranges';
  done: number;
  total: number;
  layer: string;
}

/** Layers a uint8 tensor passes through unchanged in meaning (max pooling commutes with the
 * monotonic dequantization; the others move or keep values). */
export const passesUint8 = (l: Layer) =>
  l instanceof MaxPooling2D || l instanceof Flatten || l instanceof Reshape || l instanceof Dropout;

/** The float layers that static mode turns into integer ones. */
export const staticQuantizable = (l: Layer) =>
  (l instanceof Dense && !(l.constructor as typeof Layer).className.startsWith('Quantized')) ||
  (l instanceof Conv2D && (l.constructor as typeof Layer).className === 'Conv2D');

/** Checks the calibration data against the model's input: a float32 [n ≥ 1, ...inputShape]. */
function checkCalibration(model: Sequential, data: unknown): Tensor {
  if (!(data instanceof Tensor))
    throw new TypeError(
      `${OP}: mode 'static' needs calibrationData, a float32 tensor of model inputs; got ${data === undefined ? 'none' : String(data)}`,
    );
  const expected = model.batchInputShape;
  if (data.dtype !== 'float32')
    throw new TypeError(`${OP}: calibrationData must be float32, got ${data.dtype}`);
  if (data.rank === 0 || data.shape[0] === 0)
    throw new RangeError(
      `${OP}: calibrationData is empty (${formatShape(data.shape)}); calibration needs at least one sample`,
    );
  if (
    expected &&
    (expected.length !== data.rank ||
      expected.some((d, i) => i > 0 && d !== null && d !== data.shape[i]))
  )
    throw new RangeError(
      `${OP}: calibrationData ${formatShape(data.shape)} does not fit model '${model.name}' input [${expected.map((d) => d ?? 'None').join(', ')}]`,
    );
  return data;
}

/**
 * The static ranges of each chosen layer of a Sequential model, from running the float model
 * on `calibrationData` (in batches of 256): a layer's input range is the range its producer
 * requantizes to when the values reach it as uint8 (through pooling, flattening, reshaping or
 * dropout), else the calibrated range of its float input; its output is uint8 (with the
 * calibrated range of its activation's output) when the next computing layer is also chosen
 * and its activation is relu or linear, else float32.
 */
export function staticPlan(
  model: Sequential,
  chosen: Set<string>,
  calibrationData: unknown,
  calibration: CalibrationOptions,
  onProgress: (p: CalibrationProgress) => void = () => {},
): Map<string, StaticQuantArgs> {
  const data = checkCalibration(model, calibrationData);
  const layers = model.layers;
  // acts[i + 1]: the outputs of layers[i] over every calibration batch; acts[0]: the inputs.
  const acts: Tensor[][] = layers.map(() => []);
  const inputs: Tensor[] = [];
  const n = data.shape[0]!;
  const batches = Math.ceil(n / 256);
  noGrad(() => {
    for (let b = 0; b < n; b += 256) {
      const size = [Math.min(256, n - b), ...data.shape.slice(1)];
      let x = slice(data, [b, ...data.shape.slice(1).map(() => 0)], size);
      inputs.push(x);
      layers.forEach((l, i) => {
        x = l.apply(x, { training: false });
        acts[i]!.push(x);
        const last = i === layers.length - 1;
        onProgress({
          stage: 'activations',
          done: b / 256 + (last ? 1 : 0),
          total: batches,
          layer: l.name,
        });
      });
    }
  });
  const total = layers.filter((l) => chosen.has(l.name)).length;
  let calibrated = 0;
  const plan = new Map<string, StaticQuantArgs>();
  let carried: { scale: number; zeroPoint: number } | null = null; // uint8 reaching layer i
  layers.forEach((layer, i) => {
    if (!chosen.has(layer.name)) {
      if (!passesUint8(layer)) carried = null;
      return;
    }
    onProgress({ stage: 'ranges', done: calibrated++, total, layer: layer.name });
    const input = carried ?? calibrateUint8(i === 0 ? inputs : acts[i - 1]!, calibration);
    const args: StaticQuantArgs = { inputScale: input.scale, inputZeroPoint: input.zeroPoint };
    const next = layers.slice(i + 1).find((l) => !passesUint8(l));
    const fused = fusedActivationOf((layer as Dense | Conv2D).activation);
    carried = null;
    if (next && chosen.has(next.name) && (fused === 'relu' || fused === 'linear')) {
      const out = calibrateUint8(acts[i]!, calibration);
      args.outputScale = out.scale;
      args.outputZeroPoint = out.zeroPoint;
      carried = out;
    }
    plan.set(layer.name, args);
    onProgress({ stage: 'ranges', done: calibrated, total, layer: layer.name });
  });
  return plan;
}
