// The reference a Node.js user would write: fastify + onnxruntime-node, one session.run per
// request (no batching), TF Serving-style {"instances": [...]} in and {"predictions": [...]} out.
// `node ort-server.mjs MODEL.onnx PORT [INTRA_OP_THREADS]` (default: ONNX Runtime's, every core)
import Fastify from 'fastify';
import * as ort from 'onnxruntime-node';

const [file, port, threads] = process.argv.slice(2);
const session = await ort.InferenceSession.create(file, {
  executionProviders: ['cpu'],
  graphOptimizationLevel: 'all',
  ...(threads ? { intraOpNumThreads: Number(threads), interOpNumThreads: 1 } : {}),
});
const input = session.inputNames[0];
const output = session.outputNames[0];
const app = Fastify({ bodyLimit: 8 * 2 ** 20 });
app.post('/v1/models/cnn:predict', async (request) => {
  const rows = request.body.instances;
  const flat = Float32Array.from(rows.flat(Number.POSITIVE_INFINITY));
  const x = new ort.Tensor('float32', flat, [rows.length, 28, 28, 1]);
  const y = (await session.run({ [input]: x }))[output];
  const per = y.data.length / rows.length;
  return { predictions: rows.map((_, i) => Array.from(y.data.subarray(i * per, (i + 1) * per))) };
});
await app.listen({ port: Number(port), host: '127.0.0.1' });
console.log('ready');
