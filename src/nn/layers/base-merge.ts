import type { Tensor } from '../../tensor/tensor.js';
import {
  type CallArgs,
  isShapeList,
  Layer,
  type LayerArgs,
  type LayerInput,
} from '../engine/layer.js';
import { formatSymbolicShape, type SymbolicShape } from '../engine/symbolic-tensor.js';
import { layerLabel } from './internal/args.js';

/**
 * The base of the elementwise merge layers (Add, Multiply): a list of at least two inputs of the
 * same shape (size-1 axes broadcast) combined pairwise by `merge`.
 */
export abstract class BaseMerge extends Layer {
  protected abstract merge(a: Tensor, b: Tensor): Tensor;

  constructor(args: LayerArgs = {}) {
    super(args);
    this.supportsMasking = true;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const xs = this.inputList(inputs);
    this.outputShapeOf(xs.map((x) => x.shape));
    return xs.slice(1).reduce((acc, x) => this.merge(acc, x), xs[0]!);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    if (!isShapeList(inputShape)) throw this.countError(1);
    return this.outputShapeOf(inputShape);
  }

  /** The inputs as a list of at least two tensors. */
  protected inputList(inputs: LayerInput): Tensor[] {
    const xs = Array.isArray(inputs) ? inputs : [inputs];
    if (xs.length < 2) throw this.countError(xs.length);
    return xs;
  }

  /** The error for a call with `n` inputs where at least 2 are needed. */
  protected countError(n: number): Error {
    return new TypeError(
      `${layerLabel(this)}: expects a list of at least 2 inputs, got ${n === 1 ? 'a single tensor' : `${n}`}`,
    );
  }

  /** The broadcast shape of all inputs (null for an unknown size), or an error naming every shape. */
  private outputShapeOf(shapes: readonly SymbolicShape[]): SymbolicShape {
    const rank = Math.max(...shapes.map((s) => s.length));
    const out: (number | null)[] = [];
    for (let i = 0; i < rank; i++) {
      let dim: number | null = 1;
      for (const s of shapes) {
        const d = s[s.length - rank + i];
        if (d === undefined || d === 1) continue;
        if (d === null) dim = dim === 1 ? null : dim;
        else if (dim === 1 || dim === null) dim = d;
        else if (dim !== d)
          throw new RangeError(
            `${layerLabel(this)}: inputs must have the same shape (or broadcast), got ${shapes.map(formatSymbolicShape).join(', ')}`,
          );
      }
      out.push(dim);
    }
    return out;
  }
}
