import { cast } from '../../ops/cast.js';
import { expandDims } from '../../ops/expand-dims.js';
import { mean } from '../../ops/mean.js';
import { squeeze } from '../../ops/squeeze.js';
import { checkDType } from '../../tensor/dtype.js';
import { formatShape, shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Clipping bound for probabilities, Keras's backend epsilon. */
export const EPSILON = 1e-7;

/** The yPred float check every loss shares: `${name}: argument 'yPred' has dtype ...`. */
export function checkPrediction(name: string, yPred: Tensor): void {
  checkDType(name, 'yPred', yPred.dtype, ['float32']);
}

/**
 * Targets and predictions of the same shape, as float32. Like Keras, a rank difference of one
 * with a trailing axis of 1 is absorbed: [batch] labels against [batch, 1] predictions are expanded.
 */
export function matchShapes(
  name: string,
  yTrue: Tensor,
  yPred: Tensor,
  hint = '',
): [Tensor, Tensor] {
  checkPrediction(name, yPred);
  checkDType(name, 'yTrue', yTrue.dtype, ['float32', 'int32', 'bool']);
  let t = cast(yTrue, 'float32');
  let p = yPred;
  if (p.rank === t.rank + 1 && p.shape[p.rank - 1] === 1) {
    if (t.rank === 1 || t.rank === 0) t = expandDims(t, -1);
    else p = squeeze(p, -1);
  } else if (t.rank === p.rank + 1 && t.shape[t.rank - 1] === 1) {
    if (p.rank === 1 || p.rank === 0) p = expandDims(p, -1);
    else t = squeeze(t, -1);
  }
  if (!shapesEqual(t.shape, p.shape)) {
    throw new RangeError(
      `${name}: yTrue shape ${formatShape(yTrue.shape)} does not match yPred shape ${formatShape(yPred.shape)}${hint}`,
    );
  }
  return [t, p];
}

/** Elementwise losses averaged over the last axis (Keras's `mean(..., axis=-1)`); rank <= 1 stays elementwise. */
export function meanOverLastAxis(values: Tensor): Tensor {
  return values.rank >= 2 ? mean(values, -1) : values;
}
