/** Opens a model file of any format Keel reads, chosen by its name, for the CLI's commands. */
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, loadOnnx, loadTfjsModel } from '../io/index.js';
import type { Model } from '../models/model.js';
import { UsageError } from './errors.js';

export function openModel(path: string): Model {
  if (!existsSync(path)) throw new UsageError(`no such model file or folder: ${path}`);
  if (statSync(path).isDirectory()) {
    const modelJson = join(path, 'model.json');
    if (existsSync(modelJson)) return loadTfjsModel(modelJson);
    throw new UsageError(`${path} is a folder without a TensorFlow.js model.json`);
  }
  if (path.endsWith('.onnx')) return loadOnnx(path);
  if (path.endsWith('.json')) return loadTfjsModel(path);
  return loadModel(path);
}
