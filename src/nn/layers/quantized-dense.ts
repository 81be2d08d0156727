import { noGrad, recordNonDifferentiable } from '../../autograd/tape.js';
import { roundHalfEven } from '../../backends/ts/kernels/quantized-matmul.js';
import { quantizedMatMul } from '../../ops/quantized-matmul.js';
import { tensor } from '../../tensor/create.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import type { ActivationFn } from '../activations/activations.js';
import { type ActivationIdentifier, serializeActivation } from '../activations/get-activation.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { builtWeight, layerLabel, positiveInt, singleInput, singleShape } from './internal/args.js';
import { resolveActivation } from './internal/config.js';
import { fusedActivationOf } from './internal/fused-activation.js';
import {
  quantizedInput,
  quantizedOutputOptions,
  type StaticQuant,
  type StaticQuantArgs,
  staticQuant,
  staticQuantConfig,
} from './internal/quantized.js';
import { registerLayer } from './registry.js';

export interface QuantizedDenseArgs extends LayerArgs, StaticQuantArgs {
  activation?: ActivationIdentifier;
  useBias?: boolean;
}

/**
 * PyTorch's per-tensor affine parameters for uint8 over [lo, hi] widened to include 0 (so 0 is
 * exact): scale = (hi - lo) / 255, zeroPoint = clamp(round(-lo / scale), 0, 255). A range of
 * width 0 gets scale 1.
 */
export function uint8Params(lo: number, hi: number): { scale: number; zeroPoint: number } {
  const a = Math.min(lo, 0);
  const b = Math.max(hi, 0);
  const scale = Math.fround(b > a ? (b - a) / 255 : 1);
  const zeroPoint = Math.min(255, Math.max(0, roundHalfEven(-a / scale)));
  return { scale, zeroPoint };
}

export { type QuantizedActivation, quantizeUint8 } from '../../ops/quantized-matmul.js';

/**
 * Symmetric per-output-channel int8 quantization of a kernel [..., units] (Dense [in, units],
 * Conv2D [kh, kw, in, units]): scale[j] = max |w[..., j]| / 127 (1 for an all-zero channel),
 * or the `given` scales (QAT's), q = clamp(roundHalfEven(w / scale), ±127).
 */
export function quantizeKernelInt8(
  kernel: Tensor,
  given?: ArrayLike<number>,
): { q: Int8Array; scales: Float32Array } {
  const units = kernel.shape.at(-1)!;
  const w = kernel.data as Float32Array;
  let scales: Float32Array;
  if (given) {
    if (given.length !== units || !Array.from(given).every((v) => Number.isFinite(v) && v > 0))
      throw new RangeError(
        `quantizeKernelInt8: expected ${units} finite positive kernel scales, got ${given.length}`,
      );
    scales = Float32Array.from(given);
  } else {
    scales = new Float32Array(units);
    for (let i = 0; i < w.length; i++)
      scales[i % units] = Math.max(scales[i % units]!, Math.abs(w[i]!));
    for (let j = 0; j < units; j++) scales[j] = scales[j]! > 0 ? scales[j]! / 127 : 1;
  }
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) {
    q[i] = Math.max(-127, Math.min(127, roundHalfEven(w[i]! / scales[i % units]!)));
  }
  return { q, scales };
}

/**
 * Dense with an int8 kernel for inference (post-training quantization, issue 12): the input is
 * uint8 — quantized per batch (dynamic, `quantizeUint8`), or with the calibrated inputScale and
 * inputZeroPoint (static: a float input goes through `quantizeLinear`, a uint8 one from the
 * layer before is used as it is) — multiplied by the int8 kernel [in, units] in int32, then in
 * the same kernel (`ops.quantizedMatMul`) either requantized to uint8 with the calibrated
 * outputScale (static, relu or linear) or dequantized: y = act(acc · xScale · kernelScale[j] +
 * bias) in float32, relu or linear in the kernel, any other activation as its own op. Made by
 * `compress.quantize`; not trainable, and differentiating it throws.
 * `new QuantizedDense(10, {activation: 'softmax'})`
 */
export class QuantizedDense extends Layer {
  static override className = 'QuantizedDense';
  readonly units: number;
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  /** int8 [in, units]. */
  kernel: Variable | null = null;
  /** float32 [units]: kernel ≈ kernelScale[j] · int8 kernel[:, j]. */
  kernelScale: Variable | null = null;
  /** float32 [units]. */
  bias: Variable | null = null;
  /** The calibrated input and output ranges (static mode). */
  readonly quant: StaticQuant;

  constructor(units: number, args: QuantizedDenseArgs = {}) {
    super({ ...args, trainable: false });
    this.units = positiveInt('QuantizedDense', 'units', units);
    this.activation = resolveActivation('QuantizedDense', args.activation);
    this.useBias = args.useBias ?? true;
    this.quant = staticQuant('QuantizedDense', args, fusedActivationOf(this.activation));
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = singleShape(this, inputShape);
    const inDim = shape.at(-1);
    if (shape.length < 2 || inDim === null || inDim === undefined)
      throw this.shapeError('(None, ..., features) with a known last axis', shape);
    const w = (name: string, shape: number[], dtype: 'int8' | 'float32') =>
      this.addWeight(name, { shape, dtype, trainable: false });
    this.kernel = w('kernel', [inDim, this.units], 'int8');
    this.kernelScale = w('kernel_scale', [this.units], 'float32');
    if (this.useBias) this.bias = w('bias', [this.units], 'float32');
    this.built = true;
  }

  /**
   * Sets the weights from a float Dense kernel [in, units] and bias, quantizing the kernel with
   * `scales` (one per unit, e.g. QAT's learned ones) or else its max-abs scales.
   */
  setFromFloat(kernel: Tensor, bias: Tensor | null, scales?: ArrayLike<number>): void {
    const q = quantizeKernelInt8(kernel, scales);
    builtWeight(this, this.kernel).assign(tensor(q.q, kernel.shape, 'int8'));
    builtWeight(this, this.kernelScale).assign(tensor(q.scales, [this.units]));
    if (this.bias && bias) this.bias.assign(bias);
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    this.computeOutputShape(x.shape);
    const label = layerLabel(this);
    const fused = fusedActivationOf(this.activation);
    const y = noGrad(() => {
      const xq = quantizedInput(label, x, this.quant);
      const options = quantizedOutputOptions(
        this.quant,
        xq.scale,
        xq.zeroPoint,
        builtWeight(this, this.kernelScale).data as Float32Array,
        (this.bias?.data as Float32Array | undefined) ?? null,
        fused,
      );
      const z = quantizedMatMul(xq.q, builtWeight(this, this.kernel), options);
      // relu and linear run in the kernel's epilogue; any other activation after it.
      return fused === 'relu' || fused === 'linear' ? z : this.activation(z);
    });
    // Integer kernels have no gradient; say which layer stopped it.
    return recordNonDifferentiable(`${label} (int8, inference only)`, [x], y);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    const inDim = this.kernel?.shape[0];
    if (
      shape.length < 2 ||
      (inDim !== undefined && shape.at(-1) !== inDim && shape.at(-1) !== null)
    )
      throw this.shapeError(`(None, ..., ${inDim ?? 'features'})`, shape);
    return [...shape.slice(0, -1), this.units];
  }

  override getConfig(): Record<string, unknown> {
    const { trainable: _, ...base } = super.getConfig();
    return {
      ...base,
      units: this.units,
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      ...staticQuantConfig(this.quant),
    };
  }

  static fromConfig(config: Record<string, unknown>): QuantizedDense {
    const { units, ...args } = config;
    return new QuantizedDense(units as number, args as QuantizedDenseArgs);
  }
}

registerLayer(QuantizedDense);
