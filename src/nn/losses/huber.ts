import { abs } from '../../ops/abs.js';
import { add } from '../../ops/add.js';
import { minimum } from '../../ops/minimum.js';
import { mul } from '../../ops/mul.js';
import { square } from '../../ops/square.js';
import { sub } from '../../ops/sub.js';
import type { Tensor } from '../../tensor/tensor.js';
import { matchShapes, meanOverLastAxis } from './checks.js';
import { Loss } from './loss.js';

/**
 * Huber loss, averaged over the last axis: with e = yPred - yTrue, 0.5 e² where |e| <= delta and
 * delta · (|e| - 0.5 delta) beyond, computed as 0.5 q² + delta (|e| - q), q = min(|e|, delta).
 * `new Huber({delta: 1}).compute(targets, predictions)`
 */
export class Huber extends Loss {
  static override className = 'Huber';
  readonly delta: number;

  constructor(args: { delta?: number; name?: string } = {}) {
    super(args.name ?? 'huber_loss');
    this.delta = args.delta ?? 1;
    if (!(this.delta > 0)) throw new RangeError(`Huber: delta must be > 0, got ${this.delta}`);
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = matchShapes(this.name, yTrue, yPred);
    const absError = abs(sub(p, t));
    const quadratic = minimum(absError, this.delta);
    const values = add(mul(square(quadratic), 0.5), mul(sub(absError, quadratic), this.delta));
    return meanOverLastAxis(values);
  }

  /** The options that rebuild this `Huber` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return { name: this.name, delta: this.delta };
  }
}
