import { add } from '../ops/add.js';
import { onesLike } from '../tensor/create.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { withGradMode } from './tape.js';

/** Tensors reachable from `root` through recorded nodes, producers before consumers (iterative DFS). */
function topologicalOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<number>();
  const stack: { t: Tensor; expanded: boolean }[] = [{ t: root, expanded: false }];
  while (stack.length > 0) {
    const top = stack.pop()!;
    if (top.expanded) {
      order.push(top.t);
      continue;
    }
    if (visited.has(top.t.id)) continue;
    visited.add(top.t.id);
    stack.push({ t: top.t, expanded: true });
    const inputs = top.t.gradFn?.inputs ?? [];
    for (let i = inputs.length - 1; i >= 0; i--) {
      const input = inputs[i]!;
      if (input.requiresGrad && !visited.has(input.id)) stack.push({ t: input, expanded: false });
    }
  }
  return order;
}

export interface GradOptions {
  /** Gradient of the output; defaults to ones (a scalar loss gets 1). */
  outputGrad?: Tensor;
  /** Record the backward pass itself so that it can be differentiated again. */
  createGraph?: boolean;
  /**
   * Called with each input (a leaf) of `grad` and its gradient as soon as that gradient is final,
   * while the rest of the backward pass still runs (distributed training starts its allreduce here).
   */
  onLeafGradient?: (leaf: Tensor, grad: Tensor) => void;
}

/**
 * Gradients of `output` with respect to each of `inputs` (null where `output` does not depend on it).
 * Does not touch `.grad`. `const [dw] = grad(loss, [w])`
 */
export function grad(
  output: Tensor,
  inputs: readonly Tensor[],
  options: GradOptions = {},
): (Tensor | null)[] {
  const grads = propagate(
    output,
    options,
    topologicalOrder(output),
    new Set(inputs.map((t) => t.id)),
  );
  return inputs.map((t) => grads.get(t.id) ?? null);
}

/** Accumulates d output / d leaf into `.grad` of every leaf that requires a gradient (PyTorch's `backward`). */
export function backward(output: Tensor, options: GradOptions = {}): void {
  const order = topologicalOrder(output);
  const grads = propagate(output, options, order);
  withGradMode(options.createGraph ?? false, () => {
    for (const t of order) {
      if (t.gradFn !== null) continue;
      const g = grads.get(t.id);
      if (g) t.grad = t.grad ? add(t.grad, g) : g;
    }
  });
}

function propagate(
  output: Tensor,
  options: GradOptions,
  order: Tensor[],
  keep: ReadonlySet<number> = new Set(),
): Map<number, Tensor> {
  if (!output.requiresGrad) {
    throw new Error(
      'backward: the output does not require a gradient (no input of its computation was trainable)',
    );
  }
  const seed = options.outputGrad ?? onesLike(output);
  if (!shapesEqual(seed.shape, output.shape)) {
    throw new RangeError(
      `backward: outputGrad shape ${formatShape(seed.shape)} differs from output shape ${formatShape(output.shape)}`,
    );
  }
  const grads = new Map<number, Tensor>([[output.id, seed]]);
  withGradMode(options.createGraph ?? false, () => {
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k]!;
      const node = t.gradFn;
      const g = grads.get(t.id);
      if (node === null && g !== undefined && keep.has(t.id)) options.onLeafGradient?.(t, g);
      if (node === null || g === undefined) continue;
      const inputGrads = node.backward(g);
      for (let i = 0; i < node.inputs.length; i++) {
        const input = node.inputs[i]!;
        const gi = inputGrads[i];
        if (!input.requiresGrad || gi === null || gi === undefined) continue;
        if (!shapesEqual(gi.shape, input.shape)) {
          throw new Error(
            `${node.op}: gradient for input ${i} has shape ${formatShape(gi.shape)}, expected ${formatShape(input.shape)}`,
          );
        }
        const prev = grads.get(input.id);
        grads.set(input.id, prev ? add(prev, gi) : gi);
      }
      if (!keep.has(t.id)) grads.delete(t.id);
    }
  });
  return grads;
}
