/**
 * The model inside a version folder (`DIR/<name>/<version>/`): a Keel file (.keel or
 * .safetensors), an .onnx file or a TensorFlow.js model.json with its shards. Only files the
 * operator placed in the model directory are ever loaded; no request names a path.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadModel, loadOnnx, loadTfjsModel } from '../../io/index.js';
import type { Model } from '../../models/model.js';

export type ModelFormat = 'keel' | 'onnx' | 'tfjs';

export interface ModelFile {
  format: ModelFormat;
  /** The file to open (model.json for TensorFlow.js). */
  file: string;
}

/** Most files a version folder may hold (shards included). */
export const MAX_VERSION_FILES = 256;

/** The one model file of a version folder; an error naming the folder when there is none or several. */
export function findModelFile(dir: string): ModelFile {
  const names = readdirSync(dir).filter((n) => statSync(join(dir, n)).isFile());
  if (names.length > MAX_VERSION_FILES) {
    throw new Error(`${dir}: ${names.length} files, more than the ${MAX_VERSION_FILES} allowed`);
  }
  const found: ModelFile[] = [];
  for (const n of names) {
    if (n === 'model.json') found.push({ format: 'tfjs', file: join(dir, n) });
    else if (n.endsWith('.onnx')) found.push({ format: 'onnx', file: join(dir, n) });
    else if (n.endsWith('.keel') || n.endsWith('.safetensors'))
      found.push({ format: 'keel', file: join(dir, n) });
  }
  if (found.length !== 1) {
    throw new Error(
      `${dir}: expected one model file (*.keel, *.safetensors, *.onnx or model.json), found ${found.length === 0 ? 'none' : found.map((f) => f.file).join(', ')}`,
    );
  }
  return found[0]!;
}

/** Loads a model file of a known format. */
export function loadModelFile({ format, file }: ModelFile): Model {
  if (format === 'onnx') return loadOnnx(file);
  if (format === 'tfjs') return loadTfjsModel(file);
  return loadModel(file);
}
