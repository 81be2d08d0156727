import { add, expandDims, matMul, mul, sum, tanh } from '../../ops/index.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { getInitializer } from '../initializers/get-initializer.js';
import { BaseAttention, type BaseAttentionArgs } from './base-attention.js';
import { oneOf } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Keras's arguments of `Attention`. */
export interface AttentionArgs extends BaseAttentionArgs {
  /** Learn a scalar `scale` (initially 1) multiplying the scores. False by default. */
  useScale?: boolean;
  /** 'dot' (q·kᵀ, Luong) or 'concat' (Σ tanh(q + k), times a learned scalar). 'dot' by default. */
  scoreMode?: 'dot' | 'concat';
}

/**
 * Keras's dot-product attention (Luong): softmax(scores) · value, with scores = q·kᵀ (times the
 * learned scalar `scale` with useScale), or for scoreMode 'concat'
 * concatScoreWeight · Σ_d tanh(scale·(q + k)). Inputs [query [B, Tq, d], value [B, Tv, dv]] or
 * with a key [B, Tv, d]; output [B, Tq, dv]. See BaseAttention for masks and call arguments.
 * `new Attention().apply([query, value], {returnAttentionScores: true})`
 */
export class Attention extends BaseAttention {
  static override className = 'Attention';
  readonly useScale: boolean;
  readonly scoreMode: 'dot' | 'concat';
  scale: Variable | null = null;
  concatScoreWeight: Variable | null = null;

  constructor(args: AttentionArgs = {}) {
    super(args);
    this.useScale = args.useScale ?? false;
    this.scoreMode = oneOf('Attention', 'scoreMode', args.scoreMode ?? 'dot', ['dot', 'concat']);
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    super.build(inputShape);
    const ones = getInitializer('ones');
    if (this.useScale) this.scale = this.addWeight('scale', { shape: [], initializer: ones });
    if (this.scoreMode === 'concat')
      this.concatScoreWeight = this.addWeight('concat_score_weight', {
        shape: [],
        initializer: ones,
      });
  }

  protected override scores(query: Tensor, key: Tensor): Tensor {
    if (this.scoreMode === 'dot') {
      const s = matMul(query, key, false, true);
      return this.scale ? mul(s, this.scale) : s;
    }
    let pair = add(expandDims(query, -2), expandDims(key, -3));
    if (this.scale) pair = mul(pair, this.scale);
    return mul(this.concatScoreWeight!, sum(tanh(pair), -1));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), useScale: this.useScale, scoreMode: this.scoreMode };
  }

  /** Rebuilds an `Attention` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Attention {
    return new Attention(config as AttentionArgs);
  }
}

registerLayer(Attention);
