import { quantizedLstm } from '../../ops/quantized-lstm.js';
import { tensor } from '../../tensor/create.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { BaseRnn, type RecurrentOutput, type RnnArgs } from './base-rnn.js';
import { builtWeight, layerLabel } from './internal/args.js';
import { quantizeKernelInt8 } from './quantized-dense.js';
import { registerLayer } from './registry.js';

/**
 * LSTM with int8 weights for inference (dynamic post-training quantization, issue 12, as
 * PyTorch's dynamic quantized LSTM): kernel [in, 4·units] and recurrentKernel [units, 4·units]
 * int8 symmetric per output channel (max |w| / 127) with float32 `kernel_scale` and
 * `recurrent_kernel_scale` [4·units], float32 bias. Each call quantizes its input to uint8 over
 * the whole batch and projects every step in one integer GEMM; each step quantizes each sample's h
 * the same way over that sample's own range (finer than PyTorch's one range per step, and a
 * sample's output does not depend on its batchmates) before its integer product; the gates are
 * float32 (`ops.quantizedLstm`). Keras's LSTM
 * arguments otherwise (returnSequences, returnState, goBackwards, stateful, masks). Made by
 * `compress.quantize`; not trainable, and differentiating it throws.
 * `new QuantizedLSTM(128, {returnSequences: true})`
 */
export class QuantizedLSTM extends BaseRnn {
  static override className = 'QuantizedLSTM';
  /** float32 [4·units]: kernel ≈ kernelScale[j] · int8 kernel[:, j]. */
  kernelScale: Variable | null = null;
  /** float32 [4·units]: recurrentKernel ≈ recurrentScale[j] · int8 recurrentKernel[:, j]. */
  recurrentScale: Variable | null = null;

  constructor(units: number, args: RnnArgs = {}) {
    super(4, 2, units, { ...args, trainable: false });
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    const inDim = shape[2];
    if (shape.length !== 3 || inDim === null || inDim === undefined)
      throw this.shapeError('(None, steps, features) with a known last axis', shape);
    const g = 4 * this.units;
    const w = (name: string, shape: number[], dtype: 'int8' | 'float32') =>
      this.addWeight(name, { shape, dtype, trainable: false });
    this.kernel = w('kernel', [inDim, g], 'int8');
    this.kernelScale = w('kernel_scale', [g], 'float32');
    this.recurrentKernel = w('recurrent_kernel', [this.units, g], 'int8');
    this.recurrentScale = w('recurrent_kernel_scale', [g], 'float32');
    if (this.useBias) this.bias = w('bias', [g], 'float32');
    this.built = true;
  }

  /** Sets the weights from a float LSTM's kernel, recurrent kernel and bias (quantizing both kernels). */
  setFromFloat(kernel: Tensor, recurrentKernel: Tensor, bias: Tensor | null): void {
    const g = 4 * this.units;
    const k = quantizeKernelInt8(kernel);
    const r = quantizeKernelInt8(recurrentKernel);
    builtWeight(this, this.kernel).assign(tensor(k.q, kernel.shape, 'int8'));
    builtWeight(this, this.kernelScale).assign(tensor(k.scales, [g]));
    builtWeight(this, this.recurrentKernel).assign(tensor(r.q, recurrentKernel.shape, 'int8'));
    builtWeight(this, this.recurrentScale).assign(tensor(r.scales, [g]));
    if (this.bias && bias) this.bias.assign(bias);
  }

  protected override recur(
    x: Tensor,
    initial: (Tensor | null)[],
    mask: Tensor | null,
    recurrentMask: Tensor | null,
  ): RecurrentOutput {
    const label = layerLabel(this);
    if (recurrentMask)
      throw new Error(`${label} (int8, inference only): recurrent dropout cannot be trained`);
    const r = quantizedLstm(
      x,
      builtWeight(this, this.kernel),
      builtWeight(this, this.kernelScale),
      builtWeight(this, this.recurrentKernel),
      builtWeight(this, this.recurrentScale),
      this.bias,
      {
        initialH: initial[0],
        initialC: initial[1],
        mask,
        goBackwards: this.goBackwards,
        activation: this.fusedName('activation', this.activation),
        recurrentActivation: this.fusedName('recurrentActivation', this.recurrentActivation),
        label: `${label} (int8, inference only)`,
      },
    );
    return { sequences: r.sequences, states: [r.lastH, r.lastC] };
  }

  override getConfig(): Record<string, unknown> {
    const { trainable: _, ...base } = super.getConfig();
    return base;
  }

  /** Rebuilds the layer from `getConfig()` output (its int8 weights are restored by the model file). */
  static fromConfig(config: Record<string, unknown>): QuantizedLSTM {
    const { units, ...args } = config;
    return new QuantizedLSTM(units as number, args as RnnArgs);
  }
}

registerLayer(QuantizedLSTM);
