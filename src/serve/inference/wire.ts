/** What crosses between the server and its inference workers (structured clone). */
import type { MessagePort } from 'node:worker_threads';
import type { ModelFormat } from '../repository/model-files.js';

/** A tensor as plain data: row-major values and a shape. */
export interface WireTensor {
  data: Float32Array | Int32Array;
  shape: number[];
}

export interface PredictTask {
  kind: 'predict';
  /** The snapshot file: also the workers' cache key. */
  file: string;
  format: ModelFormat;
  inputs: WireTensor[];
}

export interface PredictResult {
  outputs: WireTensor[];
  /** Time inside the worker, ms. */
  inferenceMs: number;
}

export interface GenerateTask {
  kind: 'generate';
  file: string;
  format: ModelFormat;
  /** tokenizer.json of the snapshot, when the model has one. */
  tokenizerFile?: string;
  prompt: number[];
  maxTokens: number;
  temperature: number;
  topK?: number;
  topP?: number;
  seed?: number;
  stop: string[];
  /** Receives {text, tokens} deltas while generating (streaming), when given. */
  port?: MessagePort;
  /** Set to 1 by the server to stop early (client gone, timeout). */
  cancel: Int32Array;
}

export interface GenerateResult {
  text: string;
  tokens: number[];
  finishReason: 'stop' | 'length';
  inferenceMs: number;
}

/** A worker's answer to a task it could not run: a message for the client, not a crash. */
export interface TaskFailure {
  error: string;
  /** 400 for a request the model refuses (bad token ids), 500 otherwise. */
  status: number;
}

/** A no-op task that resolves once a worker has started (its imports done). */
export interface PingTask {
  kind: 'ping';
}
