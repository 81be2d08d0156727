import { noGrad } from '../../autograd/tape.js';
import { forgetInferencePlans } from '../../models/inference-plan.js';
import type { Model } from '../../models/model.js';
import type { CallArgs, Layer, LayerInput } from '../../nn/engine/layer.js';
import { singleInput } from '../../nn/layers/internal/args.js';
import { fakeQuant } from '../../ops/fake-quant.js';
import { fakeQuantLearnable } from '../../ops/fake-quant-learnable.js';
import { tensor, zeros } from '../../tensor/create.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import { prunableKernels } from '../prune/prunable.js';
import {
  MinMaxObserver,
  MovingAverageMinMaxObserver,
  type QParams,
  roundHalfEven,
  SCALE_EPS,
} from './observers.js';

/** Options of `quantizeAware`. */
export interface QuantizeAwareArgs {
  /** Quantize only these layers (default: every Dense, Conv1D and Conv2D). */
  layers?: readonly string[];
  /**
   * How the observers follow the ranges: 'movingAverage' (default, PyTorch's QAT default,
   * averagingConstant 0.01) or 'minmax' (the running extremes).
   */
  observer?: 'movingAverage' | 'minmax';
  averagingConstant?: number;
  /**
   * 'minmax' (default): the observers give the ranges. 'learned': LSQ (Esser et al. 2020), the
   * kernel scales and the input scale and zero point become trainable weights of the layer,
   * initialised from the observers on the first training batch and trained by `fit` with
   * `fakeQuantLearnable`'s gradients; `convertQat`/`stripQat` remove them again.
   */
  ranges?: 'minmax' | 'learned';
  /** Stop updating the observers after this many training steps of each layer (default: never). */
  freezeObserversAfter?: number;
}

/** The integer grids: kernels int8 symmetric per output channel, inputs uint8 affine per tensor. */
export const WEIGHT_RANGE = { quantMin: -127, quantMax: 127 } as const;
/** The inputs' grid: uint8, affine per tensor. */
export const INPUT_RANGE = { quantMin: 0, quantMax: 255 } as const;

/** One fake-quantized layer: its kernel, its two observers and its own call, kept to restore. */
export interface QatLayer {
  layer: Layer;
  kernel: Variable;
  weightObserver: MinMaxObserver;
  inputObserver: MinMaxObserver;
  /** Training calls that updated the observers. */
  steps: number;
  /** The trainable ranges with `ranges: 'learned'`, else null. */
  learned: LearnedRanges | null;
  /** The layer's own `call`, restored when the fake quantization is removed. */
  readonly originalCall: Layer['call'];
}

/** LSQ's trainable ranges of one layer, weights of the layer while training lasts. */
export interface LearnedRanges {
  /** [out channels], the kernel's scales (zero point 0: symmetric). */
  weightScale: Variable;
  /** [1] each; the zero point is rounded half to even and clamped in the forward pass. */
  inputScale: Variable;
  inputZeroPoint: Variable;
  /** Whether the first training batch has set them from the observers. */
  initialized: boolean;
}

/** The ranges a layer quantizes with now: the kernel's per channel, the input's (null: not seen). */
export interface CurrentRanges {
  weight: QParams;
  input: { scale: number; zeroPoint: number } | null;
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
    const ranges = args.ranges ?? 'minmax';
    if (ranges !== 'minmax' && ranges !== 'learned')
      throw new RangeError(
        `${OWNER}: ranges must be 'minmax' or 'learned', got ${JSON.stringify(ranges)}`,
      );
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
        learned: null,
        originalCall: layer.call,
      };
      // The kernel's range is known now; the input's from the first training batch on.
      entry.weightObserver.observe(kernel);
      if (ranges === 'learned') {
        const add = (name: string, values: number[]) =>
          layer.addWeight(name, { shape: [values.length], initializer: () => tensor(values) });
        entry.learned = {
          weightScale: add('qat_weight_scale', entry.weightObserver.qparams().scale),
          inputScale: add('qat_input_scale', [1]),
          inputZeroPoint: add('qat_input_zero_point', [0]),
          initialized: false,
        };
      }
      return entry;
    });
    for (const entry of this.layers)
      entry.layer.call = (inputs, callArgs) => this.call(entry, inputs, callArgs);
    // A plan traced before would replay the float layers.
    forgetInferencePlans(model);
  }

  /** The layer's own call on a fake-quantized input with a fake-quantized kernel. */
  private call(entry: QatLayer, inputs: LayerInput, args: CallArgs = {}): LayerInput {
    const { layer, kernel, weightObserver, inputObserver, learned } = entry;
    const x = singleInput(layer, inputs);
    const observing = learned ? !learned.initialized : entry.steps < this.freezeObserversAfter;
    if (args.training === true && observing) {
      noGrad(() => {
        inputObserver.observe(x);
        weightObserver.observe(kernel);
      });
      entry.steps++;
      if (learned) {
        const w = weightObserver.qparams();
        const a = inputObserver.qparams();
        learned.weightScale.assign(tensor(w.scale));
        learned.inputScale.assign(tensor(a.scale));
        learned.inputZeroPoint.assign(tensor(a.zeroPoint));
        learned.initialized = true;
      }
    }
    let fqKernel: Tensor;
    let fqInput: Tensor = x;
    if (learned) {
      // An optimizer step may push a scale to 0 or below: floor it as PyTorch's LSQ module does.
      for (const v of [learned.weightScale, learned.inputScale])
        for (let i = 0; i < v.size; i++) v.data[i] = Math.max(v.data[i]!, SCALE_EPS);
      const zero = zeros([learned.weightScale.size]);
      fqKernel = fakeQuantLearnable(kernel, learned.weightScale, zero, {
        ...WEIGHT_RANGE,
        axis: -1,
      });
      if (learned.initialized)
        fqInput = fakeQuantLearnable(x, learned.inputScale, learned.inputZeroPoint, INPUT_RANGE);
    } else {
      const { weight, input } = this.currentRanges(entry);
      fqKernel = fakeQuant(kernel, { ...weight, ...WEIGHT_RANGE, axis: -1 });
      if (input) fqInput = fakeQuant(x, { ...input, ...INPUT_RANGE });
    }
    // The layer's call reads `this.kernel`: give it a view of the layer whose kernel is the
    // fake-quantized one, so gradients reach the real kernel through the estimator.
    const view = Object.create(layer, { kernel: { value: fqKernel } }) as Layer;
    return entry.originalCall.call(view, fqInput, args);
  }

  /** The ranges `entry` fake-quantizes with now (what `convertQat` records). */
  currentRanges(entry: QatLayer): CurrentRanges {
    const { learned, weightObserver, inputObserver } = entry;
    if (!learned) {
      const a = inputObserver.ready ? inputObserver.qparams() : null;
      return {
        weight: weightObserver.qparams(),
        input: a && { scale: a.scale[0]!, zeroPoint: a.zeroPoint[0]! },
      };
    }
    const scale = Array.from(learned.weightScale.data, (s) => Math.max(s, SCALE_EPS));
    // The forward pass's zero point: rounded half to even, clamped to the grid.
    const z = roundHalfEven(learned.inputZeroPoint.data[0]!);
    const zeroPoint = Math.min(INPUT_RANGE.quantMax, Math.max(INPUT_RANGE.quantMin, z));
    return {
      weight: { scale, zeroPoint: scale.map(() => 0) },
      input: learned.initialized
        ? { scale: Math.max(learned.inputScale.data[0]!, SCALE_EPS), zeroPoint }
        : null,
    };
  }

  /** Puts every layer's own call back and removes the learned ranges' weights. */
  restore(): void {
    for (const { layer, originalCall } of this.layers) {
      if (Object.hasOwn(layer, 'call')) delete (layer as Partial<Layer>).call;
      if (layer.call !== originalCall) layer.call = originalCall;
    }
    for (const { layer, learned } of this.layers)
      if (learned)
        for (const v of [learned.weightScale, learned.inputScale, learned.inputZeroPoint])
          layer.removeWeight(v);
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
