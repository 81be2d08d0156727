import { add, mul } from '../../ops/index.js';
import { tensor } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { layerLabel, singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `Rescaling` layer. */
export interface RescalingArgs extends LayerArgs {
  /** Added after scaling (0 by default); a number or one per channel. */
  offset?: number | readonly number[];
}

function checkFactor(arg: string, v: unknown): number | number[] {
  const ok = (n: unknown) => typeof n === 'number' && Number.isFinite(n);
  if (ok(v)) return v as number;
  if (Array.isArray(v) && v.length > 0 && v.every(ok)) return [...v];
  throw new RangeError(
    `Rescaling: ${arg} must be a finite number or a list of them (one per channel), got ${JSON.stringify(v)}`,
  );
}

/**
 * y = x · scale + offset: `new Rescaling(1 / 255)` maps pixels to [0, 1],
 * `new Rescaling(1 / 127.5, {offset: -1})` to [-1, 1]. A list broadcasts along the last axis.
 */
export class Rescaling extends Layer {
  static override className = 'Rescaling';
  readonly scale: number | number[];
  readonly offset: number | number[];

  constructor(scale: number | readonly number[], args: RescalingArgs = {}) {
    const { offset = 0, ...rest } = args;
    super(rest);
    this.scale = checkFactor('scale', scale);
    this.offset = checkFactor('offset', offset);
    this.supportsMasking = true;
  }

  private factor(v: number | number[], x: Tensor): Tensor | number {
    if (typeof v === 'number') return v;
    if (x.shape.at(-1) !== v.length && v.length !== 1)
      throw new RangeError(
        `${layerLabel(this)}: ${v.length} factors do not match the ${x.shape.at(-1)} channels of input [${x.shape.join(', ')}]`,
      );
    return tensor(v);
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    const y = mul(x, this.factor(this.scale, x));
    return this.offset === 0 ? y : add(y, this.factor(this.offset, x));
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return singleShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), scale: this.scale, offset: this.offset };
  }

  /** Rebuilds a `Rescaling` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Rescaling {
    const { scale, ...args } = config;
    return new Rescaling(scale as number, args as RescalingArgs);
  }
}

registerLayer(Rescaling);
