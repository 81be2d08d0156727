/**
 * `startServer`: the model server as a set of fastify plugins over one ModelRepository, one
 * worker pool and one SQLite store: auth, quotas, metering and metrics as hooks; TF Serving,
 * KServe v2, OpenAI completions and OpenAPI as route plugins; the admin API on its own port.
 * `const server = await startServer({modelDir: 'models', db: 'serve.db', port: 8501})`
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { parseJsonGuarded } from '../utils/json-guard.js';
import { buildAdminApp } from './admin.js';
import { InferenceService } from './inference/inference-service.js';
import { WorkerPool } from './inference/worker-pool.js';
import { authPlugin } from './plugins/auth.js';
import { meteringPlugin } from './plugins/metering.js';
import { ServeMetrics } from './plugins/metrics.js';
import { QuotaLimiter, quotaPlugin } from './plugins/quotas.js';
import { HttpError, sendError } from './plugins/request-context.js';
import type { ServeContext } from './protocols/context.js';
import { kserveV2Plugin } from './protocols/kserve-v2.js';
import { completionsPlugin } from './protocols/openai-completions.js';
import { openApiPlugin } from './protocols/openapi.js';
import { tfServingPlugin } from './protocols/tfserving.js';
import type { BatchingConfig } from './repository/model-config.js';
import { ModelRepository } from './repository/model-repository.js';
import type { VersionPolicy } from './repository/version-policy.js';
import { ServeStore } from './store/store.js';
import { UsageWriter } from './store/usage-writer.js';

export interface ServeOptions {
  modelDir: string;
  /** The SQLite file of keys, quotas and usage (created if missing). */
  db: string;
  /** Serving port (default 8501, TF Serving's REST port; 0 picks a free one). */
  port?: number;
  /** Serving address (default 127.0.0.1; 0.0.0.0 in a container). */
  host?: string;
  /** Admin port (default 8502; null: no admin API). */
  adminPort?: number | null;
  /** Admin address (default 127.0.0.1). */
  adminHost?: string;
  /** The admin API's bearer token (required when the admin API is on). */
  adminToken?: string;
  /** API keys required (default true). */
  auth?: boolean;
  /** Inference worker threads (default half the cores, at least 1). */
  workers?: number;
  /** Default batching of every model (serving.json may override per model). */
  batching?: Partial<BatchingConfig>;
  requestTimeoutMs?: number;
  /** Largest request body (default 8 MiB): beyond it 413. */
  maxBodyBytes?: number;
  /** Deepest JSON nesting accepted (default 64). */
  maxJsonDepth?: number;
  versionPolicy?: VersionPolicy;
  /** How often the model directory is polled for new versions, ms (default 1000; 0 never). */
  pollMs?: number;
  /** PEM files: serve HTTPS. */
  tls?: { cert: string; key: string };
  /** fastify's logger: false, true (JSON lines at info) or pino options. */
  logger?: boolean | { level: string };
  usageFlushMs?: number;
  /**
   * A predict request alone on the server runs on the event loop, sparing the worker round trip,
   * when its model should answer it within this many ms (default 1; 0: always on a worker).
   */
  inlineBelowMs?: number;
}

export const DEFAULT_BATCHING: BatchingConfig = {
  maxBatchSize: 64,
  maxQueueDelayMicros: 1000,
  maxQueueSize: 4096,
};

export interface KeelServer {
  url: string;
  adminUrl: string | null;
  app: FastifyInstance;
  admin: FastifyInstance | null;
  repository: ModelRepository;
  inference: InferenceService;
  store: ServeStore;
  usage: UsageWriter;
  metrics: ServeMetrics;
  /** Stops taking requests, finishes those in flight, commits usage, stops the workers. */
  close(): Promise<void>;
}

export async function startServer(options: ServeOptions): Promise<KeelServer> {
  const logger = options.logger ?? false;
  const auth = options.auth ?? true;
  if (options.adminPort !== null && !options.adminToken)
    throw new Error('serve: the admin API needs a token (adminToken), or adminPort: null');
  const store = ServeStore.open(options.db);
  const usage = new UsageWriter(store.db, { flushMs: options.usageFlushMs });
  const snapshotDir = mkdtempSync(join(tmpdir(), 'keel-serve-'));
  const app = Fastify({
    logger,
    bodyLimit: options.maxBodyBytes ?? 8 * 2 ** 20,
    ...(options.tls
      ? { https: { cert: readFileSync(options.tls.cert), key: readFileSync(options.tls.key) } }
      : {}),
  }) as unknown as FastifyInstance;
  const log = (level: 'info' | 'warn' | 'error', message: string, fields?: object) =>
    app.log[level](fields ?? {}, message);
  const repository = new ModelRepository(options.modelDir, {
    versionPolicy: options.versionPolicy,
    snapshotDir,
    log,
  });
  const pool = new WorkerPool(options.workers);
  const metrics = new ServeMetrics({
    queueDepths: () => inference.queueDepths(),
    usage: () => ({ committed: usage.committed, dropped: usage.dropped, pending: usage.pending }),
  });
  const maxDepth = options.maxJsonDepth ?? 64;
  // Requests between arrival and their answer (onSend; or the connection's end if none comes):
  // not until the answer's bytes are flushed, which can come after the client's next request.
  let inProgress = 0;
  const inference: InferenceService = new InferenceService(
    repository,
    pool,
    { ...DEFAULT_BATCHING, ...options.batching },
    {
      timeoutMs: options.requestTimeoutMs ?? 30_000,
      maxJsonDepth: maxDepth,
      inlineBelowMs: options.inlineBelowMs,
      requestsInProgress: () => inProgress,
    },
    {
      onBatch: (v, rows, ms) => {
        metrics.batchSize.observe({ model: v.name }, rows);
        metrics.inference.observe({ model: v.name, version: String(v.version) }, ms / 1000);
      },
      onInline: (v) => metrics.inline.inc({ model: v.name }),
    },
  );
  repository.start(options.pollMs ?? 1000);
  await pool.ready();

  app.removeAllContentTypeParsers();
  // TF Serving reads any body as JSON; curl -d sends x-www-form-urlencoded, so both are JSON here.
  // Predict routes (rawBody) get the bytes: a worker parses them, beside the event loop.
  app.addContentTypeParser(
    ['application/json', 'application/x-www-form-urlencoded'],
    { parseAs: 'buffer' },
    (request, body, done) => {
      if (request.routeOptions.config.rawBody) return done(null, body);
      try {
        const text = (body as Buffer).toString('utf8');
        done(null, parseJsonGuarded(text, 'request body', { maxDepth }));
      } catch (e) {
        done(new HttpError(400, (e as Error).message), undefined);
      }
    },
  );
  app.setErrorHandler((e: Error & { statusCode?: number }, request, reply) => {
    if (e instanceof HttpError) return sendError(request, reply, e);
    const status = e.statusCode ?? 500;
    if (status >= 500) request.log.error({ err: e }, 'request failed');
    const message = status >= 500 ? `internal error: ${e.message}` : e.message;
    return sendError(request, reply, new HttpError(status, message));
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new HttpError(404, `no route ${request.method} ${request.url.slice(0, 200)}`),
    ),
  );

  const answered = new WeakMap<object, () => void>();
  app.addHook('onRequest', (_request, reply, next) => {
    inProgress++;
    let counted = true;
    const end = () => {
      if (counted) inProgress--;
      counted = false;
    };
    reply.raw.once('close', end);
    answered.set(reply, end);
    next();
  });
  app.addHook('onSend', (_request, reply, payload, next) => {
    answered.get(reply)?.();
    next(null, payload);
  });
  const ctx: ServeContext = { repository, inference };
  metrics.install(app);
  authPlugin(app, store, auth);
  const limiter = new QuotaLimiter(store);
  quotaPlugin(app, limiter);
  meteringPlugin(app, usage, limiter);
  tfServingPlugin(app, ctx);
  kserveV2Plugin(app, ctx);
  completionsPlugin(app, ctx);
  openApiPlugin(app);
  app.get('/healthz', { config: { protocol: 'plain' } }, async (_request, reply) => {
    const models = repository.modelNames();
    return reply
      .code(models.length > 0 ? 200 : 503)
      .send({ status: models.length > 0 ? 'ok' : 'no models', models });
  });
  if (!auth)
    app.log.warn(
      'authentication is off (--no-auth): anyone who can reach the port can use the models',
    );

  const admin =
    options.adminPort === null
      ? null
      : buildAdminApp({ token: options.adminToken!, store, usage, repository, logger });
  let url: string;
  let adminUrl: string | null = null;
  try {
    url = await app.listen({ port: options.port ?? 8501, host: options.host ?? '127.0.0.1' });
    if (admin)
      adminUrl = await admin.listen({
        port: options.adminPort ?? 8502,
        host: options.adminHost ?? '127.0.0.1',
      });
  } catch (e) {
    await app.close();
    await pool.close();
    store.close();
    throw e;
  }
  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      repository.stop();
      await Promise.all([app.close(), admin?.close()]);
      usage.flush();
      await pool.close();
      store.close();
      rmSync(snapshotDir, { recursive: true, force: true });
    })());
  return { url, adminUrl, app, admin, repository, inference, store, usage, metrics, close };
}
