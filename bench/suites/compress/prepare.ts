/**
 * Makes the compress benchmark's models in bench/.cache from the inference benchmark's weights
 * (cnn-weights.bin, the seed CNN of export_onnx.py): cnn-int8.keel, the static int8 model
 * (`compress.quantize`, min-max calibration on the first 1024 MNIST training images), and
 * cnn-int8-qdq.onnx, its ONNX QDQ export for ONNX Runtime. Run by bench/run.ts before the suite.
 * `node --import tsx bench/suites/compress/prepare.ts`
 */
import { join } from 'node:path';
import { compress, io, tensor } from '../../../src/index.js';
import { cacheDir, loadMnistTrain } from '../common/report.mjs';
import { loadCnnWeights } from '../common/time-cnn.js';

const model = loadCnnWeights();
const data = loadMnistTrain();
const calibrationData = tensor(data.x.slice(0, 1024 * 784), [1024, 28, 28, 1]);
const quantized = compress.quantize(model, { mode: 'static', calibrationData });
quantized.save(join(cacheDir, 'cnn-int8.keel'));
io.saveOnnx(quantized, join(cacheDir, 'cnn-int8-qdq.onnx'));
console.log(`bench: wrote cnn-int8.keel and cnn-int8-qdq.onnx to ${cacheDir}`);
