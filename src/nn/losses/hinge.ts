import { noGrad } from '../../autograd/tape.js';
import { mul, relu, sub } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { matchShapes, meanOverLastAxis } from './checks.js';
import { Loss } from './loss.js';

/**
 * Hinge loss over the last axis: max(1 - yTrue · yPred, 0), with 0/1 labels taken as -1/1 (as
 * Keras). `new Hinge().compute(labels, scores)`
 */
export class Hinge extends Loss {
  static override className = 'Hinge';

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'hinge');
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = matchShapes(this.name, yTrue, yPred);
    return meanOverLastAxis(relu(sub(1, mul(hingeLabels(t), p))));
  }

  /** The options that rebuild this `Hinge` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}

/** Keras's hinge labels: a target of only 0s and 1s becomes -1/1; -1/1 targets stay. */
export function hingeLabels(yTrue: Tensor): Tensor {
  const binary = noGrad(() => yTrue.data.every((v) => v === 0 || v === 1));
  return binary ? sub(mul(yTrue, 2), 1) : yTrue;
}
