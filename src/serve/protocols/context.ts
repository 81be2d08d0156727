/** What every protocol plugin is given: the models, inference, and the shared predict path. */
import type { FastifyRequest } from 'fastify';
import type { InferenceService } from '../inference/inference-service.js';
import type { WireTensor } from '../inference/wire.js';
import {
  ModelLookupError,
  type ModelRepository,
  type ModelVersion,
} from '../repository/model-repository.js';
import { HttpError } from './http-error.js';

export interface ServeContext {
  repository: ModelRepository;
  inference: InferenceService;
}

/** The version a request names (404 when none), counted in flight until `fn` settles. */
export async function withVersion<T>(
  ctx: ServeContext,
  request: FastifyRequest,
  ref: { name: string; version?: string; label?: string },
  fn: (v: ModelVersion) => Promise<T>,
): Promise<T> {
  let v: ModelVersion;
  try {
    v = ctx.repository.acquire(ref.name, ref.version, ref.label);
  } catch (e) {
    if (e instanceof ModelLookupError) throw new HttpError(404, e.message);
    throw e;
  }
  request.usage = { model: v.name, version: String(v.version), items: 0, tokens: 0 };
  try {
    return await fn(v);
  } finally {
    ctx.repository.release(v);
  }
}

/** Looks a version up for metadata and status routes (404 when none). */
export function lookupVersion(
  ctx: ServeContext,
  ref: { name: string; version?: string; label?: string },
): ModelVersion {
  try {
    return ctx.repository.lookup(ref.name, ref.version, ref.label);
  } catch (e) {
    if (e instanceof ModelLookupError) throw new HttpError(404, e.message);
    throw e;
  }
}

/** Runs a validated batch through the batcher and notes its rows for metering. */
export async function predictRows(
  ctx: ServeContext,
  request: FastifyRequest,
  v: ModelVersion,
  inputs: WireTensor[],
): Promise<WireTensor[]> {
  const rows = inputs[0]?.shape[0] ?? 0;
  if (request.usage) request.usage.items = rows;
  if (v.signature.languageModel)
    throw new HttpError(400, `model '${v.name}' is a language model: use POST /v1/completions`);
  if (rows === 0) throw new HttpError(400, 'the request holds no rows (an empty batch)');
  return ctx.inference.predict(v, inputs);
}

/** Checks that a parsed JSON body is an object with only the fields listed. */
export function bodyObject(body: unknown, allowed: readonly string[]): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw new HttpError(400, 'the request body must be a JSON object');
  for (const key of Object.keys(body)) {
    if (!allowed.includes(key))
      throw new HttpError(
        400,
        `unknown field '${key.slice(0, 64)}' in the request body (accepted: ${allowed.join(', ')})`,
      );
  }
  return body as Record<string, unknown>;
}
