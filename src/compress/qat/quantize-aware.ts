import { noGrad } from '../../autograd/tape.js';
import { forgetInferencePlans } from '../../models/inference-plan.js';
import type { Model } from '../../models/model.js';
import type { CallArgs, Layer, LayerInput } from '../../nn/engine/layer.js';
import { singleInput } from '../../nn/layers/internal/args.js';
import { fakeQuant } from '../../ops/fake-quant.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import { prunableKernels } from '../prune/prunable.js';
import { MinMaxObserver, MovingAverageMinMaxObserver } from './observers.js';

export interface QuantizeAwareArgs {
  /** Quantize only these layers (default: every Dense, Conv1D and Conv2D). */
  layers?: readonly string[];
  /**
   * How the observers follow the ranges: 'movingAverage' (default, PyTorch's QAT default,
   * averagingConstant 0.01) or 'minmax' (the running extremes).
   */
  observer?: 'movingAverage' | 'minmax';
  averagingConstant?: number;
  /** Stop updating the observers after this many training steps of each layer (default: never). */
  freezeObserversAfter?: number;
}

/** The integer grids: kernels int8 symmetric per output channel, inputs uint8 affine per tensor. */
export const WEIGHT_RANGE = { quantMin: -127, quantMax: 127 } as const;
export const INPUT_RANGE = { quantMin: 0, quantMax: 255 } as const;

/** One fake-quantized layer: its kernel, its two observers and its own call, kept to restore. */
export interface QatLayer {
  layer: Layer;
  kernel: Variable;
  weightObserver: MinMaxObserver;
  inputObserver: MinMaxObserver;
  /** Training calls that updated the observers. */
  steps: number;
  readonly originalCall: Layer['call'];
}

const OWNER = 'quantizeAware';

/** The quantization-aware training state of one model; the model itself keeps its layers. */
export class QatHandle {
  readonly layers: readonly QatLayer[];
  readonly freezeObserversAfter: number;

  constructor(
    readonly model: Model,
    args: QuantizeAwareArgs = {},
  ) {
    const observer = args.observer ?? 'movingAverage';
    if (observer !== 'movingAverage' && observer !== 'minmax')
      throw new RangeError(
        `${OWNER}: observer must be 'movingAverage' or 'minmax', got ${JSON.stringify(observer)}`,
      );
    const freeze = args.freezeObserversAfter ?? Infinity;
    if (!(freeze >= 0) || (freeze !== Infinity && !Number.isInteger(freeze)))
      throw new RangeError(
        `${OWNER}: freezeObserversAfter must be a non-negative integer, got ${freeze}`,
      );
    this.freezeObserversAfter = freeze;
    const make = (
      range: { quantMin: number; quantMax: number },
      symmetric: boolean,
      axis?: number,
    ) =>
      observer === 'minmax'
        ? new MinMaxObserver({ ...range, symmetric, axis })
        : new MovingAverageMinMaxObserver({
            ...range,
            symmetric,
            axis,
            averagingConstant: args.averagingConstant,
          });
    const kernels = prunableKernels(OWNER, model, args.layers, {
      verb: 'quantize',
      done: 'quantized',
    });
    this.layers = kernels.map(({ layer, kernel }) => {
      const entry: QatLayer = {
        layer,
        kernel,
        weightObserver: make(WEIGHT_RANGE, true, -1),
        inputObserver: make(INPUT_RANGE, false),
        steps: 0,
        originalCall: layer.call,
      };
      // The kernel's range is known now; the input's from the first training batch on.
      entry.weightObserver.observe(kernel);
      return entry;
    });
    for (const entry of this.layers)
      entry.layer.call = (inputs, callArgs) => this.call(entry, inputs, callArgs);
    // A plan traced before would replay the float layers.
    forgetInferencePlans(model);
  }

  /** The layer's own call on a fake-quantized input with a fake-quantized kernel. */
  private call(entry: QatLayer, inputs: LayerInput, args: CallArgs = {}): LayerInput {
    const { layer, kernel, weightObserver, inputObserver } = entry;
    const x = singleInput(layer, inputs);
    if (args.training === true && entry.steps < this.freezeObserversAfter) {
      noGrad(() => {
        inputObserver.observe(x);
        weightObserver.observe(kernel);
      });
      entry.steps++;
    }
    const w = weightObserver.qparams();
    const fqKernel = fakeQuant(kernel, { ...w, ...WEIGHT_RANGE, axis: -1 });
    let fqInput: Tensor = x;
    if (inputObserver.ready) {
      const { scale, zeroPoint } = inputObserver.qparams();
      fqInput = fakeQuant(x, { scale: scale[0]!, zeroPoint: zeroPoint[0]!, ...INPUT_RANGE });
    }
    // The layer's call reads `this.kernel`: give it a view of the layer whose kernel is the
    // fake-quantized one, so gradients reach the real kernel through the estimator.
    const view = Object.create(layer, { kernel: { value: fqKernel } }) as Layer;
    return entry.originalCall.call(view, fqInput, args);
  }

  /** Puts every layer's own call back. */
  restore(): void {
    for (const { layer, originalCall } of this.layers) {
      if (Object.hasOwn(layer, 'call')) delete (layer as Partial<Layer>).call;
      if (layer.call !== originalCall) layer.call = originalCall;
    }
    forgetInferencePlans(this.model);
  }
}

const handles = new WeakMap<Model, QatHandle>();

/**
 * Prepares `model` for quantization-aware training (PyTorch's prepare_qat, tfmot's
 * quantize_model): during `fit`, each Dense/Conv1D/Conv2D kernel is fake-quantized to int8
 * symmetric per output channel ([-127, 127]) and each such layer's input to uint8 per tensor,
 * with straight-through gradients; observers follow the ranges while training. `convertQat`
 * then fixes the ranges and snaps the kernels to their grid; `stripQat` just ends it.
 * `quantizeAware(model); await model.fit(x, y); const { ranges } = convertQat(model);`
 */
export function quantizeAware(model: Model, args: QuantizeAwareArgs = {}): QatHandle {
  if (handles.has(model))
    throw new Error(
      `${OWNER}: model '${model.name}' is already prepared for quantization-aware training; call convertQat or stripQat first`,
    );
  const handle = new QatHandle(model, args);
  handles.set(model, handle);
  return handle;
}

/** The quantization-aware training state of `model`, if `quantizeAware` prepared it. */
export function qatHandle(model: Model): QatHandle | undefined {
  return handles.get(model);
}

/** Forgets the state of `model` (convertQat, stripQat). */
export function forgetQat(model: Model): void {
  handles.delete(model);
}
