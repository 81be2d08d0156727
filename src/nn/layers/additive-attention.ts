import { add, expandDims, mul, sum, tanh } from '../../ops/index.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { getInitializer } from '../initializers/get-initializer.js';
import { BaseAttention, type BaseAttentionArgs } from './base-attention.js';
import { registerLayer } from './registry.js';

/** Keras's arguments of `AdditiveAttention`. */
export interface AdditiveAttentionArgs extends BaseAttentionArgs {
  /** Learn a per-feature `scale` [d] (glorotUniform) weighting the tanh terms. True by default. */
  useScale?: boolean;
}

/**
 * Keras's additive attention (Bahdanau): scores[b, i, j] = Σ_d scale_d · tanh(q[b, i, d] +
 * k[b, j, d]) (scale 1 without useScale), then softmax(scores) · value. Inputs [query [B, Tq, d],
 * value [B, Tv, dv]] or with a key [B, Tv, d]; output [B, Tq, dv]. See BaseAttention for masks
 * and call arguments. `new AdditiveAttention().apply([query, value])`
 */
export class AdditiveAttention extends BaseAttention {
  static override className = 'AdditiveAttention';
  readonly useScale: boolean;
  scale: Variable | null = null;

  constructor(args: AdditiveAttentionArgs = {}) {
    super(args);
    this.useScale = args.useScale ?? true;
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    super.build(inputShape);
    const [q] = this.shapesOf(inputShape);
    const dim = q![2];
    if (dim === null || dim === undefined)
      throw this.shapeError('query (None, Tq, d) with a known last axis', q!);
    if (this.useScale)
      this.scale = this.addWeight('scale', {
        shape: [dim],
        initializer: getInitializer('glorotUniform'),
      });
  }

  protected override scores(query: Tensor, key: Tensor): Tensor {
    const t = tanh(add(expandDims(query, -2), expandDims(key, -3)));
    return sum(this.scale ? mul(t, this.scale) : t, -1);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), useScale: this.useScale };
  }

  /** Rebuilds an `AdditiveAttention` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): AdditiveAttention {
    return new AdditiveAttention(config as AdditiveAttentionArgs);
  }
}

registerLayer(AdditiveAttention);
