import { cast, dropout, expandDims, matMul, mul, softmax, sub } from '../../ops/index.js';
import { Rng } from '../../random/rng.js';
import { tensor } from '../../tensor/create.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { layerLabel } from './internal/args.js';

/** Keras's arguments shared by Attention and AdditiveAttention. */
export interface BaseAttentionArgs extends LayerArgs {
  /** Fraction of the attention weights dropped in training. */
  dropout?: number;
  /** Seeds the layer's own dropout generator. */
  seed?: number | null;
}

/** Keras's -1e9 for masked scores (float32): their softmax weight is exactly 0. */
const MASKED = 1e9;

/**
 * The shared body of Keras's Attention and AdditiveAttention: inputs [query [B, Tq, d],
 * value [B, Tv, dv]] or [query, value, key [B, Tv, d]]; subclasses give the scores [B, Tq, Tv].
 * Call arguments: `queryMask` [B, Tq] and `valueMask` [B, Tv] (or Keras's list form
 * `mask: [queryMask, valueMask]`; in a functional model the inputs' own masks), `useCausalMask`, `returnAttentionScores` (then [output, weights]),
 * `training`. Masked values get weight 0; masked query rows output 0; the output mask is the
 * query's.
 */
export abstract class BaseAttention extends Layer {
  readonly dropout: number;
  readonly seed: number | null;
  private readonly rng: Rng | undefined;

  protected constructor(args: BaseAttentionArgs) {
    super(args);
    const cls = (this.constructor as typeof Layer).className;
    const d = args.dropout ?? 0;
    if (typeof d !== 'number' || !(d >= 0 && d < 1))
      throw new RangeError(`${cls}: dropout must be a number in [0, 1), got ${String(d)}`);
    this.dropout = d;
    this.seed = args.seed ?? null;
    this.rng = this.seed === null ? undefined : new Rng(this.seed);
    this.supportsMasking = true;
  }

  override ownRandomGenerators(): Rng[] {
    return this.rng ? [this.rng] : [];
  }

  /** Scores [B, Tq, Tv] of query [B, Tq, d] against key [B, Tv, d]. */
  protected abstract scores(query: Tensor, key: Tensor): Tensor;

  /** Checks [query, value(, key)] shapes; returns them. */
  protected shapesOf(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape[] {
    const shapes = (Array.isArray(inputShape[0]) ? inputShape : [inputShape]) as SymbolicShape[];
    const label = layerLabel(this);
    if (shapes.length < 2 || shapes.length > 3)
      throw new TypeError(
        `${label}: expects [query, value] or [query, value, key], got ${shapes.length} input(s)`,
      );
    const [q, v, k = v] = shapes as [SymbolicShape, SymbolicShape, SymbolicShape?];
    const fmt = (s: SymbolicShape) => `[${s.map((d) => d ?? 'None').join(', ')}]`;
    const bad =
      q.length !== 3 ||
      v.length !== 3 ||
      k!.length !== 3 ||
      (v[1] !== null && k![1] !== null && v[1] !== k![1]) ||
      (q[2] !== null && k![2] !== null && q[2] !== k![2]);
    if (bad)
      throw new RangeError(
        `${label}: expected query [B, Tq, d], value [B, Tv, dv] and key [B, Tv, d], got query ${fmt(q)}, value ${fmt(v)}, key ${fmt(k!)}`,
      );
    return [q, v, k!];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    this.shapesOf(inputShape);
    this.built = true;
  }

  /**
   * The [queryMask, valueMask] of a call: `queryMask`/`valueMask`, Keras's list form
   * `mask: [queryMask, valueMask]`, or in a model the inputs' own masks.
   */
  private masksOf(args: CallArgs): (Tensor | null)[] {
    if (args['queryMask'] !== undefined || args['valueMask'] !== undefined)
      return [(args['queryMask'] as Tensor) ?? null, (args['valueMask'] as Tensor) ?? null];
    const given = (args['inputMasks'] as unknown) ?? (args.mask as unknown) ?? null;
    if (given === null) return [null, null];
    if (!Array.isArray(given))
      throw new TypeError(
        `${layerLabel(this)}: mask must be [queryMask, valueMask] (either may be null), got one tensor; or pass queryMask and valueMask`,
      );
    return [given[0] ?? null, given[1] ?? null];
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor | Tensor[] {
    const list = (Array.isArray(inputs) ? inputs : [inputs]) as Tensor[];
    this.shapesOf(list.map((t) => [...t.shape]));
    const [q, v, k = v] = list as [Tensor, Tensor, Tensor?];
    const [batch, tq] = q.shape as [number, number];
    const tv = v.shape[1]!;
    const label = layerLabel(this);
    const [qMask, vMask] = this.masksOf(args);
    const checkMask = (m: Tensor | null, steps: number, what: string) => {
      if (m && (m.rank !== 2 || m.shape[0] !== batch || m.shape[1] !== steps))
        throw new RangeError(
          `${label}: the ${what} mask must be [${batch}, ${steps}], got ${formatShape(m.shape)}`,
        );
    };
    checkMask(qMask, tq, 'query');
    checkMask(vMask, tv, 'value');
    let scores = this.scores(q, k!);
    let keep: Tensor | null = vMask ? expandDims(cast(vMask, 'float32'), 1) : null;
    if (args['useCausalMask']) {
      const lower = new Float32Array(tq * tv);
      for (let i = 0; i < tq; i++)
        for (let j = 0; j <= Math.min(i, tv - 1); j++) lower[i * tv + j] = 1;
      const causal = tensor(lower, [1, tq, tv]);
      keep = keep ? mul(keep, causal) : causal;
    }
    if (keep) scores = sub(scores, mul(sub(1, keep), MASKED));
    let weights = softmax(scores, -1);
    if (args.training && this.dropout > 0)
      weights = dropout(weights, this.dropout, { rng: this.rng });
    let out = matMul(weights, v);
    if (qMask) out = mul(out, expandDims(cast(qMask, 'float32'), -1));
    return args['returnAttentionScores'] ? [out, weights] : out;
  }

  override computeOutputShape(
    inputShape: SymbolicShape | SymbolicShape[],
  ): SymbolicShape | SymbolicShape[] {
    const [q, v] = this.shapesOf(inputShape) as [SymbolicShape, SymbolicShape];
    const out: SymbolicShape = [q[0]!, q[1]!, v[2]!];
    if (!this.pendingArgs['returnAttentionScores']) return out;
    return [out, [q[0]!, q[1]!, v[1]!]];
  }

  /** The query's mask (Keras): the output has the query's steps. */
  override computeMask(
    _inputs: LayerInput,
    mask: Tensor | null | undefined,
    inputMasks?: readonly (Tensor | null)[],
  ): Tensor | null {
    const list = inputMasks ?? (mask as unknown);
    return Array.isArray(list) ? (list[0] ?? null) : null;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dropout: this.dropout, seed: this.seed };
  }
}
