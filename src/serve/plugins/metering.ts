/**
 * Usage metering: every billable request that got past authentication becomes one usage record
 * (key, customer, model, version, endpoint, status, latency, items, tokens), written in batches
 * by the UsageWriter after the response is sent.
 */
import type { FastifyInstance } from 'fastify';
import type { UsageWriter } from '../store/usage-writer.js';
import type { QuotaLimiter } from './quotas.js';

export function meteringPlugin(
  app: FastifyInstance,
  usage: UsageWriter,
  limiter: QuotaLimiter,
): void {
  app.decorateRequest('usage', null);
  app.addHook('onResponse', async (request, reply) => {
    const principal = request.principal;
    if (!principal || !request.routeOptions.config.billable) return;
    const note = request.usage;
    usage.record({
      ts: Date.now(),
      keyId: principal.keyId,
      customer: principal.customer,
      model: note?.model ?? (request.params as { name?: string })?.name?.slice(0, 128) ?? '',
      version: note?.version ?? '',
      endpoint: request.routeOptions.url ?? request.url.slice(0, 128),
      status: reply.statusCode,
      latencyMs: reply.elapsedTime,
      items: note?.items ?? 0,
      tokens: note?.tokens ?? 0,
    });
    if (principal.keyId !== null && note?.tokens) limiter.addTokens(principal.keyId, note.tokens);
  });
}
