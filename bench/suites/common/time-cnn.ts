/**
 * The seed CNN for the Keel contenders of the inference and compress suites: the network of
 * export_onnx.py, and its measurement by timeInference (report.mjs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backendInfo, type Model, type Sequential, tensor } from '../../../src/index.js';
import { buildKeelCnn } from './keel-cnn.js';
import { cacheDir, loadMnistTrain, timeInference } from './report.mjs';

/** buildKeelCnn with the weights of cnn-weights.bin (the network of export_onnx.py). */
export function loadCnnWeights(): Sequential {
  const model = buildKeelCnn();
  const file = readFileSync(join(cacheDir, 'cnn-weights.bin'));
  const flat = new Float32Array(file.buffer, file.byteOffset, file.byteLength / 4);
  let at = 0;
  model.setWeights(
    model.getWeights().map((w) => {
      const values = flat.slice(at, (at += w.size));
      return tensor(values, w.shape);
    }),
  );
  if (at !== flat.length)
    throw new Error(`bench: cnn-weights.bin has ${flat.length} floats, want ${at}`);
  return model;
}

/** Times `model.predict` as the contender `contender` of `suite` (timeInference). */
export async function timeKeelCnn(
  model: Model,
  suite: string,
  contender: string,
  runtime: Record<string, unknown> = {},
): Promise<void> {
  const data = loadMnistTrain();
  await timeInference({
    suite,
    contender,
    predict: (n) => {
      const x = tensor(data.x.slice(0, n * 784), [n, 28, 28, 1]);
      return () => {
        const y = model.predict(x, { batchSize: 256 });
        return (Array.isArray(y) ? y[0]! : y).data as Float32Array;
      };
    },
    threads: backendInfo().threads,
    runtime: { ...backendInfo(), ...runtime },
  });
}
