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

/**
 * The batch sizes a worker runs: any batch is cut greedily into these. Keel traces an inference
 * plan per input shape and keeps 4 per model, so batches of every size from 1 to 64 would trace
 * again and again; four sizes keep one plan each, and past a few rows a row costs the same in
 * any of them.
 */
export const CHUNK_SIZES = [64, 16, 4, 1] as const;

/** The chunk sizes, in order, that `rows` is run as. */
export function chunksOf(rows: number): number[] {
  const out: number[] = [];
  let left = rows;
  for (const size of CHUNK_SIZES) {
    while (left >= size) {
      out.push(size);
      left -= size;
    }
  }
  return out;
}

function predict(task: PredictTask): PredictResult {
  const start = performance.now();
  const model = modelFor(task);
  const rows = task.inputs[0]!.shape[0]!;
  const dtypes = task.inputs.map((w) => (w.data instanceof Int32Array ? 'int32' : 'float32'));
  let outputs: WireTensor[] | null = null;
  let at = 0;
  for (const n of rows === 0 ? [0] : chunksOf(rows)) {
    const inputs = task.inputs.map((w, k) => {
      const per = rows === 0 ? 0 : w.data.length / rows;
      return tensor(w.data.subarray(at * per, (at + n) * per), [n, ...w.shape.slice(1)], dtypes[k]);
    });
    const out = noGrad(() =>
      model.predict(inputs.length === 1 ? inputs[0]! : inputs, { batchSize: Math.max(1, n) }),
    );
    const ys = Array.isArray(out) ? out : [out];
    // The full outputs are allocated once the first chunk shows their shapes and dtypes.
    outputs ??= ys.map((y) => {
      const per = n === 0 ? 0 : y.size / n;
      const data = y.dtype === 'int32' ? new Int32Array(rows * per) : new Float32Array(rows * per);
      return { data, shape: [rows, ...y.shape.slice(1)] };
    });
    ys.forEach((y, i) => {
      const per = n === 0 ? 0 : y.size / n;
      outputs![i]!.data.set(y.data as ArrayLike<number>, at * per);
    });
    at += n;
  }
  return { outputs: outputs!, inferenceMs: performance.now() - start };
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
