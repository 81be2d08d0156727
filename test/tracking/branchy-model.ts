/** A compiled functional model with a branch (x -> left, right -> joined -> out), for graph views. */
import { Model } from '../../src/models/model.js';
import { Concatenate } from '../../src/nn/layers/concatenate.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { Input } from '../../src/nn/layers/input-layer.js';

export function branchyModel(): Model {
  const x = Input({ shape: [4], name: 'x' });
  const left = new Dense(3, { activation: 'relu', name: 'left' }).apply(x);
  const right = new Dense(2, { activation: 'tanh', name: 'right' }).apply(x);
  const joined = new Concatenate({ name: 'joined' }).apply([left, right] as never);
  const out = new Dense(2, { activation: 'softmax', name: 'out' }).apply(joined);
  const model = new Model({ inputs: x, outputs: out, name: 'branchy' });
  model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
  return model;
}
