import { getCustomObject } from '../engine/custom-objects.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { registerLayer } from './registry.js';

/** The function a `Lambda` layer runs: tensors in, tensors out, written with public ops. */
export type LambdaFunction = (inputs: LayerInput) => LayerInput;

/** Options of the `Lambda` layer. */
export interface LambdaArgs extends LayerArgs {
  /**
   * The output shape without the batch axis, or a function of the full input shape(s) giving the
   * output shape(s); by default inferred by running the function once on zeros.
   */
  outputShape?:
    | readonly (number | null)[]
    | ((inputShape: SymbolicShape | SymbolicShape[]) => SymbolicShape | SymbolicShape[])
    | null;
}

/**
 * Wraps a function written in code as a layer: y = fn(x), gradients flowing through its ops.
 * A model file keeps only the function's name, so loading needs it back:
 * `loadModel(path, {customObjects: {double}})`; without it, loading refuses naming the layer.
 * `const double = (x) => mul(x, 2); new Sequential([new Dense(4, {inputShape: [3]}), new Lambda(double)])`
 */
export class Lambda extends Layer {
  static override className = 'Lambda';
  readonly fn: LambdaFunction;
  /** The output shape given at construction (a shape without the batch axis, or a function). */
  readonly outputShape: LambdaArgs['outputShape'];

  constructor(fn: LambdaFunction, args: LambdaArgs = {}) {
    const { outputShape = null, ...rest } = args;
    super(rest);
    if (typeof fn !== 'function')
      throw new TypeError(`Lambda '${this.name}': expected a function, got ${typeof fn}`);
    if (outputShape !== null && typeof outputShape !== 'function' && !Array.isArray(outputShape))
      throw new TypeError(
        `Lambda '${this.name}': outputShape must be a shape, a function or null, got ${JSON.stringify(outputShape)}`,
      );
    this.fn = fn;
    this.outputShape = outputShape;
    this.supportsMasking = true;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): LayerInput {
    return this.fn(inputs);
  }

  override computeOutputShape(
    inputShape: SymbolicShape | SymbolicShape[],
  ): SymbolicShape | SymbolicShape[] {
    const os = this.outputShape;
    if (typeof os === 'function') return os(inputShape);
    if (Array.isArray(os)) {
      const batch = Array.isArray(inputShape[0])
        ? (inputShape[0] as SymbolicShape)[0]
        : inputShape[0];
      return [(batch ?? null) as number | null, ...os];
    }
    return super.computeOutputShape(inputShape);
  }

  /**
   * The config: the function by name only (code is not saved), and outputShape when it is a
   * shape. `fromConfig` finds the function among the custom objects of the load.
   */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      function: this.fn.name || null,
      outputShape: Array.isArray(this.outputShape) ? this.outputShape : null,
    };
  }

  /** Rebuilds a `Lambda` whose function is re-supplied by name (`customObjects`), or refuses. */
  static fromConfig(config: Record<string, unknown>): Lambda {
    const { function: fnName, ...args } = config;
    const name = typeof args['name'] === 'string' ? args['name'] : '?';
    const fn = typeof fnName === 'string' ? getCustomObject(fnName) : undefined;
    if (typeof fn !== 'function') {
      const how =
        typeof fnName === 'string'
          ? `pass it back by name: loadModel(path, {customObjects: {${fnName}}}) (or withCustomObjects)`
          : 'its function was anonymous; give it a name (a named function or a const) and pass it back with customObjects';
      throw new Error(
        `Lambda '${name}': the layer runs code a model file does not hold (function ${JSON.stringify(fnName ?? null)}); ${how}`,
      );
    }
    return new Lambda(fn as LambdaFunction, args as LambdaArgs);
  }
}

registerLayer(Lambda);
