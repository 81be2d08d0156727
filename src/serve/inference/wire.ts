/** What crosses between the server and its inference workers (structured clone). */
import type { MessagePort } from 'node:worker_threads';
import type { PredictInfo, PredictProtocol } from '../protocols/request-bodies.js';
import type { ModelFormat } from '../repository/model-files.js';
import type { ModelSignature } from '../repository/signature.js';

/** A tensor as plain data: row-major values and a shape. */
export interface WireTensor {
  data: Float32Array | Int32Array;
  shape: number[];
}

/**
 * Predict requests as they came (raw JSON bodies): the worker parses and checks each against the
 * signature, stacks the valid ones that share shapes, predicts, and answers each on its own.
 */
export interface PredictBodiesTask {
  kind: 'predictBodies';
  /** The snapshot file: also the workers' cache key. */
  file: string;
  format: ModelFormat;
  protocol: PredictProtocol;
  signature: ModelSignature;
  /** Deepest JSON nesting accepted. */
  maxDepth: number;
  /** The bodies end to end (UTF-8), transferred. */
  bodies: Uint8Array;
  /** Where each body ends in `bodies`. */
  ends: number[];
}

/** One request's answer: its rows of the outputs, or the error it gets. */
export type BodyResult =
  | { outputs: WireTensor[]; info: PredictInfo; rows: number }
  | { error: string; status: number };

export interface PredictBodiesResult {
  results: BodyResult[];
  /** The batches predicted (one per shape): rows, bytes of their bodies, time (parsing excluded), ms. */
  batches: { rows: number; bytes: number; ms: number }[];
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
