/**
 * The task handler of an inference worker thread (run by piscina through
 * bin/keel-serve-worker.mjs): loads snapshots on first use (a few per thread, least recently
 * used dropped) and runs batched predict or generation, so the server's event loop never does.
 */
import '../../backends/index.js';
import { noGrad } from '../../autograd/tape.js';
import { type CausalLM, generate } from '../../models/generate.js';
import type { Model } from '../../models/model.js';
import { tensor } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { loadModelFile } from '../repository/model-files.js';
import { Tokenizer } from '../repository/tokenizer.js';
import { StopSequences } from './stop-sequences.js';
import type {
  GenerateResult,
  GenerateTask,
  PingTask,
  PredictResult,
  PredictTask,
  TaskFailure,
  WireTensor,
} from './wire.js';

const MAX_CACHED = 8;
const models = new Map<string, Model>();
const tokenizers = new Map<string, Tokenizer>();

function modelFor(task: PredictTask | GenerateTask): Model {
  let model = models.get(task.file);
  if (model) {
    models.delete(task.file); // re-insert: most recently used last
  } else {
    model = loadModelFile({ format: task.format, file: task.file });
    if (models.size >= MAX_CACHED) models.delete(models.keys().next().value!);
  }
  models.set(task.file, model);
  return model;
}

function wire(t: Tensor): WireTensor {
  const data = t.dtype === 'int32' ? Int32Array.from(t.data) : Float32Array.from(t.data);
  return { data, shape: [...t.shape] };
}

function predict(task: PredictTask): PredictResult {
  const start = performance.now();
  const model = modelFor(task);
  const inputs = task.inputs.map((w) =>
    tensor(w.data, w.shape, w.data instanceof Int32Array ? 'int32' : 'float32'),
  );
  const rows = task.inputs[0]!.shape[0]!;
  const out = noGrad(() =>
    model.predict(inputs.length === 1 ? inputs[0]! : inputs, { batchSize: Math.max(1, rows) }),
  );
  const outputs = (Array.isArray(out) ? out : [out]).map(wire);
  return { outputs, inferenceMs: performance.now() - start };
}

function runGenerate(task: GenerateTask): GenerateResult {
  const start = performance.now();
  const model = modelFor(task) as unknown as CausalLM;
  let tokenizer: Tokenizer | undefined;
  if (task.tokenizerFile) {
    tokenizer = tokenizers.get(task.tokenizerFile) ?? Tokenizer.read(task.tokenizerFile);
    tokenizers.set(task.tokenizerFile, tokenizer);
  }
  const stops = new StopSequences(task.stop);
  const tokens: number[] = [];
  const send = (text: string, ids: number[]) => {
    if (task.port && (text || ids.length > 0)) task.port.postMessage({ text, tokens: ids });
  };
  generate(model, task.prompt, {
    maxNewTokens: task.maxTokens,
    temperature: task.temperature,
    topK: task.topK,
    topP: task.topP,
    seed: task.seed,
    onToken: ([token]) => {
      tokens.push(token!);
      const text = tokenizer ? stops.push(tokenizer.decode([token!])) : '';
      send(text, [token!]);
      return !(stops.stopped || Atomics.load(task.cancel, 0) === 1);
    },
  });
  send(stops.finish(), []);
  task.port?.close();
  return {
    text: stops.all,
    tokens,
    finishReason: stops.stopped ? 'stop' : 'length',
    inferenceMs: performance.now() - start,
  };
}

/** The piscina handler: a result, or a TaskFailure for errors the request caused. */
export default function handle(
  task: PredictTask | GenerateTask | PingTask,
): PredictResult | GenerateResult | TaskFailure | { pong: true } {
  if (task.kind === 'ping') return { pong: true };
  try {
    return task.kind === 'predict' ? predict(task) : runGenerate(task);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { error: message, status: e instanceof RangeError ? 400 : 500 };
  }
}
