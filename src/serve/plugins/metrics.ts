/**
 * Prometheus metrics on their own registry (so several servers can live in one process): requests
 * by route and status, request latency, batch sizes, queue depth and inference time per model,
 * usage records committed and dropped, plus the process's defaults (RSS, event-loop lag).
 */
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface ServeMetricsSources {
  queueDepths: () => { model: string; version: string; depth: number }[];
  usage: () => { committed: number; dropped: number; pending: number };
}

export class ServeMetrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'keel_serve_requests_total',
    help: 'HTTP requests by route and status code',
    labelNames: ['route', 'method', 'status'] as const,
    registers: [this.registry],
  });
  readonly latency = new Histogram({
    name: 'keel_serve_request_duration_seconds',
    help: 'HTTP request latency',
    labelNames: ['route'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [this.registry],
  });
  readonly batchSize = new Histogram({
    name: 'keel_serve_batch_size',
    help: 'Rows per inference batch',
    labelNames: ['model'] as const,
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
    registers: [this.registry],
  });
  readonly inline = new Counter({
    name: 'keel_serve_inline_requests_total',
    help: 'Predict requests run on the event loop (alone on the server, quick model)',
    labelNames: ['model'] as const,
    registers: [this.registry],
  });
  readonly inference = new Histogram({
    name: 'keel_serve_inference_duration_seconds',
    help: 'Time of one batch on a worker, queueing excluded',
    labelNames: ['model', 'version'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [this.registry],
  });

  constructor(sources: ServeMetricsSources) {
    new Gauge({
      name: 'keel_serve_queue_depth',
      help: 'Rows waiting for a batch, per model version',
      labelNames: ['model', 'version'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const q of sources.queueDepths())
          this.set({ model: q.model, version: q.version }, q.depth);
      },
    });
    new Gauge({
      name: 'keel_serve_usage_records',
      help: 'Usage records by state (committed, dropped, pending)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        const u = sources.usage();
        this.set({ state: 'committed' }, u.committed);
        this.set({ state: 'dropped' }, u.dropped);
        this.set({ state: 'pending' }, u.pending);
      },
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'keel_serve_' });
  }

  /** Counts every response and serves GET /metrics. */
  install(app: FastifyInstance): void {
    app.addHook('onResponse', async (request, reply) => {
      const route = request.routeOptions.url ?? 'unmatched';
      this.requests.inc({ route, method: request.method, status: String(reply.statusCode) });
      this.latency.observe({ route }, reply.elapsedTime / 1000);
    });
    app.get('/metrics', { config: { protocol: 'plain' } }, async (_request, reply) => {
      reply.header('content-type', this.registry.contentType);
      return this.registry.metrics();
    });
  }
}
