import type { Tensor } from '../tensor/tensor.js';
import type { BackwardFn } from './node.js';

let gradEnabled = true;

/** True while ops record the graph for backpropagation. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/**
 * Runs `fn` without recording gradients (inference, metric computation, optimizer updates).
 * `noGrad(() => model.predict(x))`
 */
export function noGrad<T>(fn: () => T): T {
  return withGradMode(false, fn);
}

/** Runs `fn` with recording switched on or off, restoring the previous mode afterwards. */
export function withGradMode<T>(enabled: boolean, fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = enabled;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}

/** True when an op on these inputs must be recorded. */
export function needsGrad(inputs: readonly Tensor[]): boolean {
  if (!gradEnabled) return false;
  for (const t of inputs) if (t.requiresGrad) return true;
  return false;
}

/**
 * Records that `output` was computed from `inputs` by `op`, with `backward` giving the input
 * gradients. A no-op when no input requires a gradient or recording is off.
 */
export function record(
  op: string,
  inputs: readonly Tensor[],
  output: Tensor,
  backward: BackwardFn,
): Tensor {
  if (needsGrad(inputs)) {
    output.requiresGrad = true;
    output.gradFn = { op, inputs, backward };
  }
  return output;
}

/** Marks an op as not differentiable: it throws if a gradient ever has to flow through it. */
export function recordNonDifferentiable(
  op: string,
  inputs: readonly Tensor[],
  output: Tensor,
): Tensor {
  return record(op, inputs, output, () => {
    throw new Error(`${op}: this op has no gradient; it cannot be differentiated`);
  });
}
