import { matMul, maximum, mul, rsqrt, sum } from '../../ops/index.js';
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
import { registerLayer } from './registry.js';

/** Options of the `Dot` layer. */
export interface DotArgs extends LayerArgs {
  /** The axis contracted in each input: one for both, or [axisA, axisB]; never the batch axis. */
  axes: number | [number, number];
  /** L2-normalize both inputs along their axes first, so the result is the cosine similarity. */
  normalize?: boolean;
}

/**
 * Keras's Dot: per sample, the dot product of two rank-2 or rank-3 inputs over one axis each.
 * Rank 3: [B, m, c] · [B, n, c] with axes [2, 2] gives [B, m, n] (attention scores), and
 * [B, m, s] · [B, s, n] with axes [2, 1] gives [B, m, n]. Rank 2: [B, c] · [B, c] gives [B, 1].
 * `new Dot({ axes: [2, 2] }).apply([q, k])`
 */
export class Dot extends Layer {
  static override className = 'Dot';
  readonly axes: [number, number];
  readonly normalize: boolean;

  constructor(args: DotArgs) {
    super(args);
    const axes = Array.isArray(args?.axes) ? args.axes : [args?.axes, args?.axes];
    if (axes.length !== 2 || !axes.every((a) => Number.isInteger(a)))
      throw new TypeError(
        `Dot: axes must be an integer or two integers, got ${String(args?.axes)}`,
      );
    this.axes = [axes[0]!, axes[1]!];
    this.normalize = args.normalize ?? false;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const xs = Array.isArray(inputs) ? inputs : [inputs];
    const [ax, bx] = this.resolve(xs.map((x) => x.shape));
    let [a, b] = xs as [Tensor, Tensor];
    if (this.normalize) {
      // x / max(‖x‖, 1e-6): Keras's l2_normalize (epsilon 1e-12 on the squared norm).
      a = mul(a, rsqrt(maximum(sum(mul(a, a), ax, true), 1e-12)));
      b = mul(b, rsqrt(maximum(sum(mul(b, b), bx, true), 1e-12)));
    }
    if (a.rank === 2) return sum(mul(a, b), 1, true);
    // [B, m, c] @ [B, c, n]: contract a's axis last, b's axis second.
    return matMul(a, b, ax === 1, bx === 2);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shapes = isShapeList(inputShape) ? inputShape : [inputShape as SymbolicShape];
    const [ax, bx] = this.resolve(shapes);
    const [a, b] = shapes as [SymbolicShape, SymbolicShape];
    if (a.length === 2) return [a[0]!, 1];
    return [a[0]!, a[3 - ax]!, b[3 - bx]!];
  }

  /** The two contracted axes, non-negative, after checking ranks and sizes. */
  private resolve(shapes: readonly SymbolicShape[]): [number, number] {
    const fail = (why: string): never => {
      throw new RangeError(
        `${layerLabel(this)}: ${why}; got ${shapes.map(formatSymbolicShape).join(', ')} (axes [${this.axes}])`,
      );
    };
    if (shapes.length !== 2) fail('expects a list of 2 inputs');
    const [a, b] = shapes as [SymbolicShape, SymbolicShape];
    if (a.length !== b.length || (a.length !== 2 && a.length !== 3))
      fail('inputs must both have rank 2 or both rank 3');
    const r = a.length;
    const [ax, bx] = this.axes.map((x) => (x < 0 ? x + r : x)) as [number, number];
    if (ax < 1 || ax >= r || bx < 1 || bx >= r) fail('axes must name non-batch axes');
    if (a[ax] !== null && b[bx] !== null && a[ax] !== b[bx])
      fail(`sizes along the axes differ (${a[ax]} vs ${b[bx]})`);
    return [ax, bx];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axes: [...this.axes], normalize: this.normalize };
  }

  /** Rebuilds a `Dot` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Dot {
    return new Dot(config as unknown as DotArgs);
  }
}

registerLayer(Dot);
