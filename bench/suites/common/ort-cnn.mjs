// The seed-CNN measurement of the ONNX Runtime contenders (inference/ort.mjs, compress/ort.mjs):
// onnxruntime-node on the CPU with every graph optimization, timed by timeInference.
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { cacheDir, loadMnistTrain, threadCount, timeInference } from './report.mjs';

/**
 * Times bench/.cache/<file>, whose input is images of shape [n, ...imageShape] (NCHW [1, 28, 28]
 * from PyTorch, NHWC [28, 28, 1] from Keel: the same memory for one channel).
 */
export async function timeOrtCnn({ suite, contender, file, imageShape }) {
  const threads = threadCount();
  const session = await ort.InferenceSession.create(join(cacheDir, file), {
    executionProviders: ['cpu'],
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const [input] = session.inputNames;
  const [output] = session.outputNames;
  const data = loadMnistTrain();
  await timeInference({
    suite,
    contender,
    predict: (n) => {
      const feeds = {
        [input]: new ort.Tensor('float32', data.x.slice(0, n * 784), [n, ...imageShape]),
      };
      return async () => (await session.run(feeds))[output].data;
    },
    threads,
    runtime: { onnxruntime: ort.env.versions?.common ?? 'unknown', executionProvider: 'cpu' },
  });
}
