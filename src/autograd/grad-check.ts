import { getRng } from '../random/rng.js';
import { tensor } from '../tensor/create.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { grad } from './backward.js';
import { noGrad } from './tape.js';

/**
 * Options of `gradCheck`: the finite-difference step, the tolerances and how many elements are
 * checked.
 */
export interface GradCheckOptions {
  /** Finite-difference step. */
  eps?: number;
  /** Allowed |analytic - numeric| <= atol + rtol * |numeric|. */
  atol?: number;
  rtol?: number;
  /** Check at most this many elements per input (chosen at random) to bound the cost. */
  maxElements?: number;
}

/** The outcome of `gradCheck`: pass/fail, the largest error, where it is, and a message. */
export interface GradCheckResult {
  ok: boolean;
  maxAbsError: number;
  /** Where the worst mismatch is: input index, flat element index, analytic and numeric values. */
  worst: { input: number; index: number; analytic: number; numeric: number } | null;
  message: string;
}

/**
 * Compares the gradients autograd computes for `fn` with central finite differences.
 * A non-scalar output is contracted with fixed random weights, so every output element is checked.
 * `gradCheck((x) => sum(mul(x, x)), [tensor([1, 2, 3])]).ok === true`
 */
export function gradCheck(
  fn: (...inputs: Tensor[]) => Tensor,
  inputs: readonly Tensor[],
  options: GradCheckOptions = {},
): GradCheckResult {
  const eps = options.eps ?? 1e-2;
  const atol = options.atol ?? 1e-3;
  const rtol = options.rtol ?? 1e-2;
  const maxElements = options.maxElements ?? 200;
  const leaves = inputs.map((x) => {
    const leaf = new Tensor(x.data.slice(), x.shape, x.dtype);
    leaf.requiresGrad = true;
    return leaf;
  });
  const out = fn(...leaves);
  const weights = new Float64Array(out.size);
  const rng = getRng();
  for (let i = 0; i < weights.length; i++) weights[i] = 0.5 + rng.uniform();
  const contract = (y: Tensor): number => {
    let s = 0;
    for (let i = 0; i < y.size; i++) s += weights[i]! * y.data[i]!;
    return s;
  };
  const analytic = grad(out, leaves, { outputGrad: tensor(Float32Array.from(weights), out.shape) });
  let maxAbsError = 0;
  let worst: GradCheckResult['worst'] = null;
  let ok = true;
  noGrad(() => {
    leaves.forEach((leaf, input) => {
      const g = analytic[input];
      const indices =
        leaf.size <= maxElements
          ? Array.from({ length: leaf.size }, (_, i) => i)
          : Array.from({ length: maxElements }, () => rng.int(leaf.size));
      for (const index of indices) {
        const saved = leaf.data[index]!;
        leaf.data[index] = saved + eps;
        const plus = contract(fn(...leaves));
        leaf.data[index] = saved - eps;
        const minus = contract(fn(...leaves));
        leaf.data[index] = saved;
        const numeric = (plus - minus) / (2 * eps);
        const a = g ? g.data[index]! : 0;
        const err = Math.abs(a - numeric);
        if (err > maxAbsError || worst === null) {
          if (err >= maxAbsError) {
            maxAbsError = err;
            worst = { input, index, analytic: a, numeric };
          }
        }
        if (!(err <= atol + rtol * Math.abs(numeric))) ok = false;
      }
    });
  });
  const w = worst as GradCheckResult['worst'];
  const message = ok
    ? `gradCheck passed (max abs error ${maxAbsError.toExponential(2)})`
    : `gradCheck failed: input ${w!.input} ${formatShape(leaves[w!.input]!.shape)} element ${w!.index}: analytic ${w!.analytic}, numeric ${w!.numeric}`;
  return { ok, maxAbsError, worst: w, message };
}
