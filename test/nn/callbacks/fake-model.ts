import type { CallbackModel } from '../../../src/nn/callbacks/callback.js';
import { tensor } from '../../../src/tensor/create.js';
import type { Tensor } from '../../../src/tensor/tensor.js';

/** A model stand-in: one weight whose value the test sets per epoch, and a settable learning rate. */
export class FakeModel implements CallbackModel {
  stopTraining = false;
  optimizer = { learningRate: 0.1, iterations: 0 };
  weight: Tensor = tensor([0]);
  getWeights(): Tensor[] {
    return [this.weight];
  }
  setWeights(weights: readonly Tensor[]): void {
    this.weight = weights[0]!;
  }
}
