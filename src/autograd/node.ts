import type { Tensor } from '../tensor/tensor.js';

/** Gradients of an op's inputs given the gradient of its output; null where an input gets none. */
export type BackwardFn = (dy: Tensor) => readonly (Tensor | null)[];

/** One recorded op application: what produced a tensor, from which inputs, and how to differentiate it. */
export interface GradNode {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  readonly backward: BackwardFn;
}
