import { type TensorLike, toTensor } from '../../../tensor/create.js';
import { Tensor } from '../../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../../engine/layer.js';
import type { SymbolicShape } from '../../engine/symbolic-tensor.js';
import { layerLabel, oneOf, singleInput, singleShape } from '../internal/args.js';
import { registerLayer } from '../registry.js';
import {
  type CategoricalOutputMode,
  categoricalShape,
  encodeCategorical,
} from './encode-categorical.js';

/** Options of the `Discretization` layer. */
export interface DiscretizationArgs extends LayerArgs {
  /** Sorted bin edges; bin i holds edges[i-1] <= x < edges[i]. Otherwise learned by adapt. */
  binBoundaries?: readonly number[] | null;
  /** With adapt: the number of bins (boundaries at the quantiles). */
  numBins?: number | null;
  /** adapt's quantile-summary error (Keras default 0.01). */
  epsilon?: number;
  /** 'int' (default: the int32 bin index) or 'one_hot', 'multi_hot', 'count'. */
  outputMode?: 'int' | CategoricalOutputMode;
  /** Keras's sparse output: only false. */
  sparse?: boolean;
}

/** Keras's quantile summary: [values, weights] sorted by value. */
type Summary = [number[], number[]];

/** np.interp on increasing xs. */
function interp(x: number, xs: readonly number[], ys: readonly number[]): number {
  if (x <= xs[0]!) return ys[0]!;
  if (x >= xs.at(-1)!) return ys.at(-1)!;
  let i = 1;
  while (xs[i]! < x) i++;
  const t = (x - xs[i - 1]!) / (xs[i]! - xs[i - 1]!);
  return ys[i - 1]! + t * (ys[i]! - ys[i - 1]!);
}

/** Keras's compress_summary: resample the summary at the 1/epsilon weight quantiles. */
function compress(summary: Summary, epsilon: number): Summary {
  const [values, weights] = summary;
  if (values.length * epsilon < 1) return summary;
  // np.arange(0, 1, epsilon) + epsilon: ceil(1 / epsilon) points.
  const percents = Array.from({ length: Math.ceil(1 / epsilon) }, (_, i) => i * epsilon + epsilon);
  const cum: number[] = [];
  weights.reduce((s, w, i) => (cum[i] = s + w), 0);
  const total = cum.at(-1)!;
  const cumPercents = cum.map((c) => c / total);
  const bins = percents.map((p) => Math.fround(interp(p, cumPercents, values)));
  const cumNew = percents.map((p) => interp(p, cumPercents, cum));
  const newWeights = cumNew.map((c, i) => Math.fround(c - (i === 0 ? 0 : cumNew[i - 1]!)));
  return [bins, newWeights];
}

/**
 * Buckets numbers into bins: bin i holds binBoundaries[i-1] <= x < binBoundaries[i] (np.digitize),
 * so n boundaries give n + 1 bins; as int32 ids or encoded vectors. adapt(data) with numBins sets
 * the boundaries at the quantiles by Keras's approximate summary (sorted samples every
 * epsilon·n, merged batch by batch, resampled at the 1/numBins weight quantiles).
 * `new Discretization({binBoundaries: [0, 1, 2]}).apply(tensor([-1.5, 1, 3.4, 0.5]))` → [0, 2, 3, 1]
 */
export class Discretization extends Layer {
  static override className = 'Discretization';
  binBoundaries: number[] | null;
  readonly numBins: number | null;
  readonly epsilon: number;
  readonly outputMode: 'int' | CategoricalOutputMode;

  constructor(args: DiscretizationArgs = {}) {
    const {
      binBoundaries = null,
      numBins = null,
      epsilon = 0.01,
      outputMode = 'int',
      sparse = false,
      ...rest
    } = args;
    super(rest);
    const c = 'Discretization';
    this.outputMode = oneOf(c, 'outputMode', outputMode, ['int', 'one_hot', 'multi_hot', 'count']);
    if (sparse !== false) throw new RangeError(`${c}: sparse=true is not supported`);
    if (binBoundaries !== null && numBins !== null && numBins !== binBoundaries.length + 1)
      throw new RangeError(
        `${c}: give binBoundaries or numBins, not both (got ${binBoundaries.length} boundaries and numBins=${numBins})`,
      );
    if (binBoundaries !== null) {
      const ok = binBoundaries.every(
        (b, i) => Number.isFinite(b) && (i === 0 || b >= binBoundaries[i - 1]!),
      );
      if (!ok)
        throw new RangeError(
          `${c}: binBoundaries must be finite and sorted, got ${JSON.stringify(binBoundaries)}`,
        );
    } else if (numBins === null || !Number.isInteger(numBins) || numBins < 2) {
      throw new RangeError(
        `${c}: give binBoundaries, or numBins (an integer >= 2) and call adapt, got numBins=${numBins}`,
      );
    }
    if (!(epsilon > 0 && epsilon < 1))
      throw new RangeError(`${c}: epsilon must lie in (0, 1), got ${epsilon}`);
    this.binBoundaries = binBoundaries === null ? null : [...binBoundaries];
    this.numBins = binBoundaries === null ? numBins : binBoundaries.length + 1;
    this.epsilon = epsilon;
    this.trainable = false;
  }

  /**
   * Learns binBoundaries from samples (a tensor or nested array, or a list of batches) with
   * Keras's quantile summaries; replaces any boundaries set before.
   */
  adapt(data: TensorLike | readonly Tensor[]): void {
    const batches =
      Array.isArray(data) && data.length > 0 && data.every((d) => d instanceof Tensor)
        ? (data as Tensor[])
        : [toTensor(data as TensorLike)];
    let summary: Summary = [[], []];
    for (const batch of batches) {
      const values = Array.from(batch.data).sort((a, b) => a - b);
      const increment = values.length * this.epsilon;
      // Every step-th sorted sample from index increment, each weighing step (Keras's summarize).
      const weight = Math.max(increment, 1);
      const step = Math.trunc(weight);
      const start = Math.trunc(increment);
      const picked = values.filter((_, i) => i >= start && (i - start) % step === 0);
      const merged = [
        ...picked.map((v) => [v, weight]),
        ...summary[0].map((v, i) => [v, summary[1][i]!]),
      ];
      merged.sort((a, b) => a[0]! - b[0]!);
      summary = compress([merged.map((m) => m[0]!), merged.map((m) => m[1]!)], this.epsilon);
    }
    if (summary[0].length === 0) throw new RangeError(`${layerLabel(this)}: adapt got no samples`);
    const bins = this.numBins ?? 2;
    this.binBoundaries = compress(summary, 1 / bins)[0].slice(0, -1);
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    const edges = this.binBoundaries;
    if (edges === null)
      throw new Error(`${layerLabel(this)}: no binBoundaries yet; call adapt(data) first`);
    const ids = new Int32Array(x.size);
    for (let i = 0; i < x.size; i++) {
      const v = x.data[i]!;
      let lo = 0;
      let hi = edges.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (edges[mid]! <= v) lo = mid + 1;
        else hi = mid;
      }
      ids[i] = lo;
    }
    if (this.outputMode === 'int') return new Tensor(ids, x.shape, 'int32');
    return encodeCategorical(ids, x.shape, this.outputMode, edges.length + 1, layerLabel(this));
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const s = singleShape(this, inputShape);
    if (this.outputMode === 'int') return s;
    return categoricalShape(
      s,
      this.outputMode,
      (this.binBoundaries?.length ?? this.numBins! - 1) + 1,
    );
  }

  /** The options that rebuild this `Discretization` with `fromConfig`, learned boundaries included. */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      binBoundaries: this.binBoundaries,
      numBins: this.binBoundaries === null ? this.numBins : null,
      epsilon: this.epsilon,
      outputMode: this.outputMode,
      sparse: false,
    };
  }

  /** Rebuilds a `Discretization` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Discretization {
    return new Discretization(config as DiscretizationArgs);
  }
}

registerLayer(Discretization);
