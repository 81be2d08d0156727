import { Model } from '../../models/model.js';
import type { Layer } from '../../nn/engine/layer.js';
import type { OutputActivation } from './soft-targets.js';

/** The layer that produces a model's (first) output: the graph's, else the last tracked layer. */
function outputLayer(model: Layer): Layer | null {
  if (!(model instanceof Model)) return model;
  return model.graph?.outputs[0]?.producer?.layer ?? null;
}

/**
 * The activation a model applies to its output, when its last layer says so ('softmax' or
 * 'sigmoid', through nested models); null for logits and for subclassed models (GPT gives logits).
 */
export function finalActivation(model: Layer): OutputActivation | null {
  let layer = outputLayer(model);
  for (let depth = 0; layer && depth < 16; depth++) {
    if (layer instanceof Model) {
      const inner = outputLayer(layer);
      if (inner === layer) return null;
      layer = inner;
      continue;
    }
    let activation: unknown;
    try {
      activation = layer.getConfig()['activation'];
    } catch {
      return null; // an unregistered custom activation: not one of ours
    }
    return activation === 'softmax' || activation === 'sigmoid' ? activation : null;
  }
  return null;
}
