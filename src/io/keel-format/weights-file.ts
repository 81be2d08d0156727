import type { Model } from '../../models/model.js';
import { parseJsonGuarded } from '../../utils/json-guard.js';
import { readSafetensors } from '../safetensors-read.js';
import { saveSafetensors } from '../safetensors-writer.js';
import { setWeightsFrom } from './model-file.js';
import { expandSparse } from './sparse-weights.js';

/** Saves only the weights (safetensors, keys = weight names, order in metadata), atomically. */
export function saveWeights(model: Model, path: string): void {
  const weights = model.weights;
  const keys = weights.map((w, i) =>
    weights.findIndex((o) => o.name === w.name) === i ? w.name : `${w.name}#${i}`,
  );
  saveSafetensors(
    path,
    weights.map((w, i) => [keys[i]!, w]),
    { format: 'keel-weights', weights: JSON.stringify(keys) },
  );
}

/** Loads weights saved by `saveWeights` (or a Keel model file) into a model of the same architecture. */
export function loadWeights(model: Model, path: string): void {
  const { metadata, tensors: stored } = readSafetensors(path);
  const tensors = expandSparse(metadata, stored, path);
  const keys =
    metadata['weights'] !== undefined
      ? parseJsonGuarded(metadata['weights'], `${path} metadata 'weights'`)
      : [...tensors.keys()];
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    throw new Error(`${path}: metadata 'weights' must be a list of tensor names`);
  }
  setWeightsFrom(model, keys, tensors, path);
}
