/** What every protocol plugin is given: the models, inference, and the shared predict path. */
import type { FastifyRequest } from 'fastify';
import type { InferenceService, PredictAnswer } from '../inference/inference-service.js';
import {
  ModelLookupError,
  type ModelRepository,
  type ModelVersion,
} from '../repository/model-repository.js';
import { HttpError } from './http-error.js';
import { bodyObject, type PredictProtocol } from './request-bodies.js';

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

/**
 * Runs a predict request's body (raw JSON bytes from the content-type parser) through the
 * batcher, where a worker parses and checks it, and notes its rows for metering.
 */
export async function predictBody(
  ctx: ServeContext,
  request: FastifyRequest,
  v: ModelVersion,
  protocol: PredictProtocol,
): Promise<PredictAnswer> {
  if (v.signature.languageModel)
    throw new HttpError(400, `model '${v.name}' is a language model: use POST /v1/completions`);
  const raw = request.body;
  // A request without a body (no content type) is refused by the worker like any bad body.
  const body = raw instanceof Uint8Array ? raw : Buffer.from(JSON.stringify(raw) ?? 'null');
  const answer = await ctx.inference.predictBody(v, protocol, body);
  if (request.usage) request.usage.items = answer.rows;
  return answer;
}

export { bodyObject };
