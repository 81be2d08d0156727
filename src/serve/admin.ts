/**
 * The admin API, on its own port (bound to 127.0.0.1 unless told otherwise) and behind its own
 * token: create, list and revoke keys, set quotas, read usage, see and reload models. It is a
 * separate fastify instance, so no route of it is reachable from the serving port (the mistake
 * behind TorchServe's CVE-2023-43654).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { keyFromHeaders } from './plugins/auth.js';
import type { ModelRepository } from './repository/model-repository.js';
import { QUOTA_FIELDS, type Quota, type ServeStore } from './store/store.js';
import { type UsageGroup, usageReport } from './store/usage-report.js';
import type { UsageWriter } from './store/usage-writer.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

function parseInstant(value: unknown, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  const t = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(t))
    throw Object.assign(new Error(`${what}: not a date: ${String(value).slice(0, 40)}`), {
      statusCode: 400,
    });
  return t;
}

export function parseQuota(body: unknown): Quota {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw Object.assign(new Error('quota: expected a JSON object'), { statusCode: 400 });
  const quota: Quota = {};
  const fields = QUOTA_FIELDS.map(([f]) => f as string);
  for (const [key, value] of Object.entries(body)) {
    if (!fields.includes(key))
      throw Object.assign(
        new Error(`quota: unknown field '${key.slice(0, 40)}' (${fields.join(', ')})`),
        { statusCode: 400 },
      );
    const ok =
      typeof value === 'number' &&
      value >= 0 &&
      (key === 'ratePerSecond' ? Number.isFinite(value) && value > 0 : Number.isSafeInteger(value));
    if (value !== null && !ok)
      throw Object.assign(
        new Error(
          `quota: ${key} must be a non-negative ${key === 'ratePerSecond' ? 'number' : 'integer'}`,
        ),
        { statusCode: 400 },
      );
    if (value !== null) quota[key as keyof Quota] = value as number;
  }
  return quota;
}

export function buildAdminApp(options: {
  token: string;
  store: ServeStore;
  usage: UsageWriter;
  repository: ModelRepository;
  logger: boolean | object;
}): FastifyInstance {
  const { store, usage, repository } = options;
  const app = Fastify({ logger: options.logger, bodyLimit: 64 * 1024 });
  const want = digest(options.token);
  app.addHook('onRequest', async (request, reply) => {
    const given = keyFromHeaders(request.headers);
    if (given === null || !timingSafeEqual(digest(given), want)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({ error: 'admin token required' });
    }
  });
  app.setErrorHandler((e: Error & { statusCode?: number }, _request, reply) => {
    const status =
      e.statusCode && e.statusCode >= 400 && e.statusCode < 500
        ? e.statusCode
        : e instanceof RangeError
          ? 400
          : 500;
    reply.code(status).send({ error: e.message });
  });
  const keyId = (params: unknown) => {
    const id = Number((params as { id: string }).id);
    if (!Number.isSafeInteger(id))
      throw Object.assign(new Error('key id must be an integer'), { statusCode: 400 });
    return id;
  };

  app.get('/admin/keys', async () => ({ keys: store.listKeys() }));
  app.post('/admin/keys', async (request, reply) => {
    const customer = (request.body as { customer?: unknown } | null)?.customer;
    if (typeof customer !== 'string')
      return reply.code(400).send({ error: 'body must be {"customer": NAME}' });
    return reply.code(201).send(store.createKey(customer));
  });
  app.delete('/admin/keys/:id', async (request, reply) =>
    store.revokeKey(keyId(request.params))
      ? { revoked: true }
      : reply.code(404).send({ error: 'no such active key' }),
  );
  app.get('/admin/keys/:id/quota', async (request) => store.getQuota(keyId(request.params)));
  app.put('/admin/keys/:id/quota', async (request, reply) =>
    store.setQuota(keyId(request.params), parseQuota(request.body))
      ? store.getQuota(keyId(request.params))
      : reply.code(404).send({ error: 'no such key' }),
  );
  app.get('/admin/usage', async (request) => {
    const q = request.query as { from?: string; to?: string; by?: string };
    usage.flush();
    const by = (q.by ? q.by.split(',') : ['customer', 'model']) as UsageGroup[];
    return {
      rows: usageReport(store.db, {
        from: parseInstant(q.from, 0, 'from'),
        to: parseInstant(q.to, Date.now() + 1, 'to'),
        by,
      }),
    };
  });
  app.get('/admin/models', async () => ({
    models: repository.modelNames().map((name) => ({
      name,
      versions: repository.versionsOf(name).map((v) => ({
        version: v.version,
        state: v.state,
        inFlight: v.inFlight,
        format: v.file.format,
      })),
      labels: repository.configOf(name).labels,
    })),
    errors: Object.fromEntries(repository.errors),
  }));
  app.post('/admin/reload', async () => {
    repository.scan();
    return { models: repository.modelNames() };
  });
  return app;
}
