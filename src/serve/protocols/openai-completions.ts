/**
 * OpenAI's legacy completions API (`POST /v1/completions`,
 * https://platform.openai.com/docs/api-reference/completions) over Keel's KV-cache `generate`:
 * prompt (text, with the model's tokenizer.json, or token ids), max_tokens, temperature, top_p,
 * top_k (an extension, as in vLLM), stop, seed, and `stream: true` for server-sent events ending
 * with `data: [DONE]`. `model` is a served name, optionally `name:version`.
 */
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GenerateParams } from '../inference/inference-service.js';
import type { ModelVersion } from '../repository/model-repository.js';
import { bodyObject, type ServeContext, withVersion } from './context.js';
import { HttpError } from './http-error.js';

const FIELDS = [
  'model',
  'prompt',
  'max_tokens',
  'temperature',
  'top_p',
  'top_k',
  'stop',
  'stream',
  'seed',
  'n',
  'user',
  'echo',
  'logprobs',
  'presence_penalty',
  'frequency_penalty',
  'best_of',
  'suffix',
] as const;
const MAX_TOKENS_LIMIT = 4096;
const MAX_PROMPT_TOKENS = 16384;

interface Completion {
  ref: { name: string; version?: string };
  prompt: string | number[];
  params: Omit<GenerateParams, 'prompt'>;
  stream: boolean;
}

function number(
  b: Record<string, unknown>,
  key: string,
  fallback: number | undefined,
  ok: (v: number) => boolean,
  rule: string,
) {
  const v = b[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !ok(v))
    throw new HttpError(400, `${key} must be ${rule}, got ${JSON.stringify(v)?.slice(0, 40)}`);
  return v;
}

export function parseCompletion(body: unknown): Completion {
  const b = bodyObject(body, FIELDS);
  const model = b['model'];
  if (typeof model !== 'string' || !/^[\w.-]{1,128}(:\d{1,15})?$/.test(model))
    throw new HttpError(400, "model must be a served model's name (or name:version)");
  const [name, version] = model.split(':') as [string, string | undefined];
  const prompt = b['prompt'];
  const isIds =
    Array.isArray(prompt) &&
    prompt.length > 0 &&
    prompt.every((t) => Number.isInteger(t) && (t as number) >= 0);
  if (!(typeof prompt === 'string' && prompt.length > 0) && !isIds)
    throw new HttpError(
      400,
      'prompt must be a non-empty string or a list of token ids (one prompt per request)',
    );
  if ((prompt as string | number[]).length > MAX_PROMPT_TOKENS * 8)
    throw new HttpError(400, `prompt is too long (at most ${MAX_PROMPT_TOKENS} tokens)`);
  for (const [key, neutral] of [
    ['n', 1],
    ['best_of', 1],
    ['presence_penalty', 0],
    ['frequency_penalty', 0],
  ] as const)
    if (b[key] !== undefined && b[key] !== null && b[key] !== neutral)
      throw new HttpError(400, `${key} other than ${neutral} is not supported`);
  if (
    b['echo'] === true ||
    (b['logprobs'] !== undefined && b['logprobs'] !== null) ||
    b['suffix'] != null
  )
    throw new HttpError(400, 'echo, logprobs and suffix are not supported');
  const stop = b['stop'] ?? [];
  const stops = typeof stop === 'string' ? [stop] : stop;
  if (
    !Array.isArray(stops) ||
    stops.length > 4 ||
    !stops.every((s) => typeof s === 'string' && s.length > 0 && s.length <= 256)
  )
    throw new HttpError(400, 'stop must be a string or a list of at most 4 non-empty strings');
  if (b['stream'] !== undefined && typeof b['stream'] !== 'boolean')
    throw new HttpError(400, 'stream must be a boolean');
  if (b['user'] !== undefined && typeof b['user'] !== 'string')
    throw new HttpError(400, 'user must be a string');
  return {
    ref: { name, version },
    prompt: prompt as string | number[],
    stream: b['stream'] === true,
    params: {
      maxTokens: number(
        b,
        'max_tokens',
        16,
        (v) => Number.isInteger(v) && v >= 1 && v <= MAX_TOKENS_LIMIT,
        `an integer in [1, ${MAX_TOKENS_LIMIT}]`,
      )!,
      temperature: number(b, 'temperature', 1, (v) => v >= 0 && v <= 2, 'a number in [0, 2]')!,
      topP: number(b, 'top_p', undefined, (v) => v > 0 && v <= 1, 'a number in (0, 1]'),
      topK: number(
        b,
        'top_k',
        undefined,
        (v) => Number.isInteger(v) && v >= 1,
        'a positive integer',
      ),
      seed: number(b, 'seed', undefined, (v) => Number.isSafeInteger(v), 'an integer'),
      stop: stops as string[],
    },
  };
}

function promptTokens(v: ModelVersion, prompt: string | number[]): number[] {
  const lm = v.signature.languageModel;
  if (!lm)
    throw new HttpError(400, `model '${v.name}' is not a language model: use :predict or /infer`);
  let ids: number[];
  if (typeof prompt === 'string') {
    if (!v.tokenizer)
      throw new HttpError(
        400,
        `model '${v.name}' has no tokenizer.json: send the prompt as token ids`,
      );
    try {
      ids = v.tokenizer.encode(prompt);
    } catch (e) {
      throw new HttpError(400, (e as Error).message);
    }
  } else ids = prompt;
  const bad = ids.find((t) => t >= lm.vocabularySize);
  if (bad !== undefined)
    throw new HttpError(400, `prompt token ${bad} is not in [0, ${lm.vocabularySize})`);
  if (ids.length > MAX_PROMPT_TOKENS)
    throw new HttpError(400, `prompt is too long (at most ${MAX_PROMPT_TOKENS} tokens)`);
  return ids;
}

export function completionsPlugin(app: FastifyInstance, ctx: ServeContext): void {
  const config = { protocol: 'openai' as const, billable: true };
  app.post('/v1/completions', { config }, async (request, reply) => {
    const c = parseCompletion(request.body);
    return withVersion(ctx, request, c.ref, async (v) => {
      const prompt = promptTokens(v, c.prompt);
      const id = `cmpl-${randomBytes(12).toString('hex')}`;
      const created = Math.floor(Date.now() / 1000);
      const head = { id, object: 'text_completion', created, model: v.name };
      if (c.stream) return stream(ctx, request, reply, v, { ...c.params, prompt }, head);
      const result = await ctx.inference.generate(v, { ...c.params, prompt });
      const usage = usageOf(prompt.length, result.tokens.length);
      request.usage!.tokens = usage.total_tokens;
      request.usage!.items = 1;
      return {
        ...head,
        choices: [
          {
            text: result.text,
            index: 0,
            logprobs: null,
            finish_reason: result.finishReason,
            tokens: result.tokens,
          },
        ],
        usage,
      };
    });
  });
}

const usageOf = (prompt: number, completion: number) => ({
  prompt_tokens: prompt,
  completion_tokens: completion,
  total_tokens: prompt + completion,
});

async function stream(
  ctx: ServeContext,
  request: FastifyRequest,
  reply: FastifyReply,
  v: ModelVersion,
  params: GenerateParams,
  head: Record<string, unknown>,
): Promise<FastifyReply> {
  const out = new PassThrough();
  const send = (data: unknown) =>
    out.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
  const abort = new AbortController();
  request.raw.once('close', () => abort.abort());
  request.usage!.items = 1;
  request.usage!.tokens = params.prompt.length;
  const chunk = (text: string, finish: string | null, extra = {}) => ({
    ...head,
    choices: [{ text, index: 0, logprobs: null, finish_reason: finish }],
    ...extra,
  });
  const done = ctx.inference
    .generate(
      v,
      params,
      (delta) => {
        request.usage!.tokens += delta.tokens.length;
        if (delta.text || delta.tokens.length > 0)
          send(chunk(delta.text, null, { tokens: delta.tokens }));
      },
      abort.signal,
    )
    .then(
      (result) => {
        send(
          chunk('', result.finishReason, {
            usage: usageOf(params.prompt.length, result.tokens.length),
          }),
        );
        send('[DONE]');
      },
      (e: Error) =>
        send({ error: { message: e.message, type: 'server_error', param: null, code: null } }),
    )
    .finally(() => out.end());
  reply
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache');
  reply.send(out);
  await done; // the version stays in flight (not unloaded) until the stream ends
  return reply;
}
