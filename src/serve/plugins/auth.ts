/**
 * API-key authentication of billable routes: `Authorization: Bearer <key>` or `x-api-key: <key>`,
 * looked up by hash (cached: ServeStore.lookupKey), so a key revoked through the admin API fails
 * at its next request, one revoked by another process within 200 ms. With auth off (--no-auth)
 * every caller is the customer 'anonymous'.
 */
import type { FastifyInstance } from 'fastify';
import { hashApiKey, looksLikeApiKey } from '../keys.js';
import type { ServeStore } from '../store/store.js';
import { HttpError, sendError } from './request-context.js';

export function keyFromHeaders(
  headers: Record<string, string | string[] | undefined>,
): string | null {
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1]! : null;
  }
  const key = headers['x-api-key'];
  return typeof key === 'string' ? key.trim() : null;
}

export function authPlugin(app: FastifyInstance, store: ServeStore, enabled: boolean): void {
  app.decorateRequest('principal', null);
  app.addHook('onRequest', async (request, reply) => {
    if (!request.routeOptions.config.billable) return;
    if (!enabled) {
      request.principal = { keyId: null, customer: 'anonymous' };
      return;
    }
    const key = keyFromHeaders(request.headers);
    if (key === null) {
      return sendError(
        request,
        reply,
        new HttpError(
          401,
          'missing API key: send "Authorization: Bearer <key>" or "x-api-key: <key>"',
        ),
      );
    }
    const record = looksLikeApiKey(key) ? store.lookupKey(hashApiKey(key)) : undefined;
    if (!record) return sendError(request, reply, new HttpError(401, 'invalid API key'));
    if (record.revokedAt !== null)
      return sendError(request, reply, new HttpError(401, 'API key revoked'));
    request.principal = { keyId: record.id, customer: record.customer };
  });
}
