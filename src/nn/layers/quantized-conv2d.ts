import { noGrad, recordNonDifferentiable } from '../../autograd/tape.js';
import { quantizedConv2d } from '../../ops/quantized-conv2d.js';
import { tensor } from '../../tensor/create.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import type { CallArgs, LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { Conv2D, type Conv2DArgs } from './conv2d.js';
import { builtWeight, layerLabel, singleInput, singleShape } from './internal/args.js';
import { fusedActivationOf } from './internal/fused-activation.js';
import {
  quantizedInput,
  quantizedOutputOptions,
  type StaticQuant,
  type StaticQuantArgs,
  staticQuant,
  staticQuantConfig,
} from './internal/quantized.js';
import { quantizeKernelInt8 } from './quantized-dense.js';
import { registerLayer } from './registry.js';

export interface QuantizedConv2DArgs extends Conv2DArgs, StaticQuantArgs {}

/**
 * Conv2D with an int8 kernel [kh, kw, in, filters] (symmetric per output channel, float32
 * kernel_scale) for inference (static post-training quantization, issue 12): the uint8 input
 * (quantized with the calibrated inputScale/inputZeroPoint, or uint8 from the layer before) is
 * convolved in int32 (`ops.quantizedConv2d`, padding reads the zero point), and the same kernel
 * requantizes to uint8 with the calibrated outputScale (bias as int32, relu as a clamp) or
 * dequantizes to float32. Made by `compress.quantize`; not trainable; differentiating it throws.
 * `new QuantizedConv2D(32, [3, 3], {activation: 'relu', inputScale: 0.0039, outputScale: 0.02})`
 */
export class QuantizedConv2D extends Conv2D {
  static override className = 'QuantizedConv2D';
  /** float32 [filters]: kernel ≈ kernelScale[j] · int8 kernel[..., j]. */
  kernelScale: Variable | null = null;
  readonly quant: StaticQuant;

  constructor(
    filters: number,
    kernelSize: number | readonly number[],
    args: QuantizedConv2DArgs = {},
  ) {
    super(filters, kernelSize, { ...args, trainable: false });
    this.quant = staticQuant('QuantizedConv2D', args, fusedActivationOf(this.activation));
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = singleShape(this, inputShape);
    const channels = shape.at(-1);
    if (shape.length !== 4 || channels === null || channels === undefined)
      throw this.shapeError('(None, height, width, channels) with known channels', shape);
    const w = (name: string, shape: number[], dtype: 'int8' | 'float32') =>
      this.addWeight(name, { shape, dtype, trainable: false });
    this.kernel = w('kernel', [...this.kernelSize, channels, this.filters], 'int8');
    this.kernelScale = w('kernel_scale', [this.filters], 'float32');
    if (this.useBias) this.bias = w('bias', [this.filters], 'float32');
    this.built = true;
  }

  /** Sets the weights from a float Conv2D kernel and bias (quantizing the kernel with `scales`,
   * one per filter, or else its max-abs scales). */
  setFromFloat(kernel: Tensor, bias: Tensor | null, scales?: ArrayLike<number>): void {
    const q = quantizeKernelInt8(kernel, scales);
    builtWeight(this, this.kernel).assign(tensor(q.q, kernel.shape, 'int8'));
    builtWeight(this, this.kernelScale).assign(tensor(q.scales, [this.filters]));
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
      const z = quantizedConv2d(xq.q, builtWeight(this, this.kernel), {
        ...options,
        strides: this.strides as [number, number],
        padding: this.padding as 'valid' | 'same',
        dilationRate: this.dilationRate as [number, number],
      });
      return fused === 'relu' || fused === 'linear' ? z : this.activation(z);
    });
    return recordNonDifferentiable(`${label} (int8, inference only)`, [x], y);
  }

  override getConfig(): Record<string, unknown> {
    const {
      trainable: _t,
      kernelInitializer: _ki,
      biasInitializer: _bi,
      kernelRegularizer: _kr,
      biasRegularizer: _br,
      ...base
    } = super.getConfig();
    return { ...base, ...staticQuantConfig(this.quant) };
  }

  static override fromConfig(config: Record<string, unknown>): QuantizedConv2D {
    const { filters, kernelSize, ...args } = config;
    return new QuantizedConv2D(
      filters as number,
      kernelSize as number[],
      args as QuantizedConv2DArgs,
    );
  }
}

registerLayer(QuantizedConv2D);
