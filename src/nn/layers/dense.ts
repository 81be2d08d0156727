import { type CsrKernel, csrKernel, dense, sparseDense } from '../../ops/index.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import type { ActivationFn } from '../activations/activations.js';
import { type ActivationIdentifier, serializeActivation } from '../activations/get-activation.js';
import {
  type CallArgs,
  Layer,
  type LayerArgs,
  type LayerInput,
  type WeightInitializer,
  type WeightRegularizer,
} from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { type InitializerIdentifier, serializeInitializer } from '../initializers/initializer.js';
import type { RegularizerIdentifier } from '../regularizers/regularizer.js';
import { builtWeight, positiveInt, singleInput, singleShape } from './internal/args.js';
import {
  regularizerConfig,
  resolveActivation,
  resolveInitializer,
  resolveRegularizer,
} from './internal/config.js';
import { fusedActivationOf } from './internal/fused-activation.js';
import { registerLayer } from './registry.js';

/** Options of the `Dense` layer. */
export interface DenseArgs extends LayerArgs {
  /** Applied to the output; none (linear) by default. */
  activation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
}

/** The most input rows (batch) for which a Dense with `useSparseKernel` runs the sparse kernel. */
export const SPARSE_MAX_ROWS = 8;

/**
 * A fully connected layer: y = activation(x · kernel + bias), x [..., in], kernel [in, units],
 * bias [units]. `new Dense(10, {activation: 'softmax'})`
 */
export class Dense extends Layer {
  static override className = 'Dense';
  readonly units: number;
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  readonly kernelInitializer: WeightInitializer;
  readonly biasInitializer: WeightInitializer;
  readonly kernelRegularizer: WeightRegularizer | null;
  readonly biasRegularizer: WeightRegularizer | null;
  kernel: Variable | null = null;
  bias: Variable | null = null;
  /** Rank of the shape the layer was built with (for error messages). */
  private builtRank = 2;

  constructor(units: number, args: DenseArgs = {}) {
    super(args);
    this.units = positiveInt('Dense', 'units', units);
    this.activation = resolveActivation('Dense', args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = resolveInitializer(
      'Dense',
      'kernelInitializer',
      args.kernelInitializer,
      'glorotUniform',
    );
    this.biasInitializer = resolveInitializer(
      'Dense',
      'biasInitializer',
      args.biasInitializer,
      'zeros',
    );
    this.kernelRegularizer = resolveRegularizer(
      'Dense',
      'kernelRegularizer',
      args.kernelRegularizer,
    );
    this.biasRegularizer = resolveRegularizer('Dense', 'biasRegularizer', args.biasRegularizer);
    this.supportsMasking = true;
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = singleShape(this, inputShape);
    const inDim = shape.at(-1);
    if (shape.length < 2 || inDim === null || inDim === undefined)
      throw this.shapeError('(None, ..., features) with a known last axis', shape);
    this.builtRank = shape.length;
    this.kernel = this.addWeight('kernel', {
      shape: [inDim, this.units],
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
    });
    if (this.useBias) {
      this.bias = this.addWeight('bias', {
        shape: [this.units],
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
      });
    }
    this.built = true;
  }

  /**
   * Runs inference on a sparse copy of the kernel (CSR, `ops.sparseDense`) for inputs of at most
   * `SPARSE_MAX_ROWS` rows, where it beats the dense GEMM on a mostly-zero kernel (pruning's
   * `stripPruning` turns it on where that was measured faster); `false` turns it off. The copy is
   * taken now: a training call drops it, since the kernel may change.
   */
  useSparseKernel(on = true): void {
    this.sparse = on ? csrKernel(builtWeight(this, this.kernel), `Dense '${this.name}'`) : null;
  }

  /** Whether inference runs on the sparse copy of the kernel (`useSparseKernel`). */
  get usesSparseKernel(): boolean {
    return this.sparse !== null;
  }

  private sparse: CsrKernel | null = null;

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    this.checkInput(x.shape);
    const kernel = builtWeight(this, this.kernel);
    // A built-in activation runs fused with the bias; any other after the linear part.
    const fused = fusedActivationOf(this.activation);
    if (args.training === true) this.sparse = null;
    if (
      this.sparse &&
      x.shape.at(-1) === this.sparse.inputs &&
      x.size / x.shape.at(-1)! <= SPARSE_MAX_ROWS
    ) {
      const act = fused === 'relu' ? 'relu' : 'linear';
      const y = sparseDense(x, this.sparse, this.bias ?? undefined, act, `Dense '${this.name}'`);
      return fused === 'relu' || fused === 'linear' ? y : this.activation(y);
    }
    if (fused !== null) return dense(x, kernel, this.bias ?? undefined, fused);
    return this.activation(dense(x, kernel, this.bias ?? undefined));
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    this.checkInput(shape);
    return [...shape.slice(0, -1), this.units];
  }

  private checkInput(shape: SymbolicShape): void {
    const inDim = this.kernel?.shape[0];
    if (inDim === undefined) {
      if (shape.length < 2) throw this.shapeError('(None, ..., features)', shape);
      return;
    }
    if (shape.length < 2 || (shape.at(-1) !== inDim && shape.at(-1) !== null))
      throw this.shapeError(
        this.builtRank === 2 ? `(None, ${inDim})` : `(None, ..., ${inDim})`,
        shape,
      );
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: regularizerConfig(this.kernelRegularizer),
      biasRegularizer: regularizerConfig(this.biasRegularizer),
    };
  }

  /** Rebuilds a `Dense` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Dense {
    const { units, ...args } = config;
    return new Dense(units as number, args as DenseArgs);
  }
}

registerLayer(Dense);
