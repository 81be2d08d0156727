import type { TypedArray } from '../../tensor/dtype.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Flat views of targets and predictions with the same layout: `samples` rows of `perSample` values. */
export interface Aligned {
  t: TypedArray;
  p: TypedArray;
  samples: number;
  perSample: number;
}

/**
 * Checks that yTrue and yPred hold the same values layout, absorbing a trailing axis of 1 on either
 * side as Keras does ([batch] labels against [batch, 1] predictions).
 */
export function alignShapes(name: string, yTrue: Tensor, yPred: Tensor): Aligned {
  const strip = (s: readonly number[], other: readonly number[]) =>
    s.length === other.length + 1 && s[s.length - 1] === 1 ? s.slice(0, -1) : s;
  const ts = strip(yTrue.shape, yPred.shape);
  const ps = strip(yPred.shape, yTrue.shape);
  if (ts.length !== ps.length || ts.some((d, i) => d !== ps[i])) {
    throw new RangeError(
      `${name}: yTrue shape ${formatShape(yTrue.shape)} does not match yPred shape ${formatShape(yPred.shape)}`,
    );
  }
  const samples = ps.length === 0 ? 1 : ps[0]!;
  return {
    t: yTrue.data,
    p: yPred.data,
    samples,
    perSample: samples === 0 ? 0 : yPred.size / samples,
  };
}

/** The per-sample weights as a flat array (null when not given); one weight per sample. */
export function sampleWeights(
  name: string,
  sampleWeight: Tensor | undefined,
  samples: number,
): TypedArray | null {
  if (sampleWeight === undefined) return null;
  if (sampleWeight.size !== samples) {
    throw new RangeError(
      `${name}: sampleWeight shape ${formatShape(sampleWeight.shape)} does not match a batch of ${samples} samples (expected [${samples}])`,
    );
  }
  return sampleWeight.data;
}
