/**
 * The task handler of an inference worker thread (run by piscina through
 * bin/keel-serve-worker.mjs): loads snapshots on first use (a few per thread, least recently
 * used dropped) and runs generation or batches of predict requests, whose JSON it parses and
 * checks too, so the server's event loop does neither.
 */
import '../../backends/index.js';
import { noGrad } from '../../autograd/tape.js';
import { type CausalLM, generate } from '../../models/generate.js';
import type { Model } from '../../models/model.js';
import { tensor } from '../../tensor/create.js';
import { HttpError } from '../protocols/http-error.js';
import { parsePredictRequest } from '../protocols/request-bodies.js';
import { loadModelFile } from '../repository/model-files.js';
import { Tokenizer } from '../repository/tokenizer.js';
import { concatRows, shapeKey, sliceRows } from './rows.js';
import { StopSequences } from './stop-sequences.js';
import type {
  BodyResult,
  GenerateResult,
  GenerateTask,
  PingTask,
  PredictBodiesResult,
  PredictBodiesTask,
  TaskFailure,
  WireTensor,
} from './wire.js';

const MAX_CACHED = 8;
const models = new Map<string, Model>();
const tokenizers = new Map<string, Tokenizer>();

function modelFor(task: PredictBodiesTask | GenerateTask): Model {
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

/** Drops a model from this thread's cache (its version was unloaded). */
export function forgetModel(file: string): void {
  models.delete(file);
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

/** The model's outputs for `inputs` (rows on axis 0), run in chunks of CHUNK_SIZES rows. */
function predictRows(model: Model, inputs: readonly WireTensor[]): WireTensor[] {
  const rows = inputs[0]!.shape[0]!;
  const dtypes = inputs.map((w) => (w.data instanceof Int32Array ? 'int32' : 'float32'));
  let outputs: WireTensor[] | null = null;
  let at = 0;
  for (const n of rows === 0 ? [0] : chunksOf(rows)) {
    const xs = inputs.map((w, k) => {
      const part = sliceRows(w, at, n);
      return tensor(part.data, part.shape, dtypes[k]);
    });
    const out = noGrad(() =>
      model.predict(xs.length === 1 ? xs[0]! : xs, { batchSize: Math.max(1, n) }),
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
  return outputs!;
}

/** An error as a request's answer: the client's fault (4xx) or ours (500). */
function failure(e: unknown): { error: string; status: number } {
  if (e instanceof HttpError) return { error: e.message, status: e.status };
  const message = e instanceof Error ? e.message : String(e);
  return { error: message, status: e instanceof RangeError ? 400 : 500 };
}

const utf8 = new TextDecoder();

/**
 * Parses, checks and predicts a batch of bodies (also called on the event loop for a lone
 * request: see InferenceService).
 */
export function predictBodies(task: PredictBodiesTask): PredictBodiesResult {
  const model = modelFor(task);
  const results: BodyResult[] = new Array(task.ends.length);
  // Parse and check every body; group the good ones by shape.
  const groups = new Map<
    string,
    { index: number; inputs: WireTensor[]; info: unknown; bytes: number }[]
  >();
  let from = 0;
  task.ends.forEach((end, index) => {
    try {
      const text = utf8.decode(task.bodies.subarray(from, end));
      const { inputs, info } = parsePredictRequest(
        task.protocol,
        task.signature,
        text,
        task.maxDepth,
      );
      const key = shapeKey(inputs);
      let group = groups.get(key);
      if (!group) groups.set(key, (group = []));
      group.push({ index, inputs, info, bytes: end - from });
    } catch (e) {
      results[index] = failure(e);
    }
    from = end;
  });
  const batches: { rows: number; bytes: number; ms: number }[] = [];
  for (const group of groups.values()) {
    try {
      const start = performance.now();
      const inputs = group[0]!.inputs.map((_, k) => concatRows(group.map((g) => g.inputs[k]!)));
      const outputs = predictRows(model, inputs);
      batches.push({
        rows: inputs[0]!.shape[0]!,
        bytes: group.reduce((n, g) => n + g.bytes, 0),
        ms: performance.now() - start,
      });
      let at = 0;
      for (const g of group) {
        const mine = g.inputs[0]!.shape[0]!;
        results[g.index] = {
          outputs: outputs.map((o) => sliceRows(o, at, mine)),
          info: g.info as never,
          rows: mine,
        };
        at += mine;
      }
    } catch (e) {
      for (const g of group) results[g.index] = failure(e);
    }
  }
  return { results, batches };
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
  task: PredictBodiesTask | GenerateTask | PingTask,
): PredictBodiesResult | GenerateResult | TaskFailure | { pong: true } {
  if (task.kind === 'ping') return { pong: true };
  try {
    return task.kind === 'predictBodies' ? predictBodies(task) : runGenerate(task);
  } catch (e) {
    return failure(e);
  }
}
