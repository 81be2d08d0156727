/**
 * What the plugins attach to a request, and the route options they read: `billable` routes need
 * a key, pass quotas and are metered; `protocol` chooses the error body's shape; `rawBody` routes
 * get their body unparsed.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpError } from '../protocols/http-error.js';

export type Protocol = 'tfserving' | 'kserve' | 'openai' | 'plain';

/** Who is calling: a key's id and customer, or the anonymous caller of a --no-auth server. */
export interface Principal {
  keyId: number | null;
  customer: string;
}

/** What a handler reports for metering. */
export interface UsageNote {
  model: string;
  version: string;
  items: number;
  tokens: number;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
    usage: UsageNote | null;
  }
  interface FastifyContextConfig {
    billable?: boolean;
    protocol?: Protocol;
    /** The handler gets the body's raw bytes (a Buffer), parsed later off the event loop. */
    rawBody?: boolean;
  }
}

/** The error body each protocol's clients expect. */
export function errorBody(
  protocol: Protocol | undefined,
  status: number,
  message: string,
): unknown {
  if (protocol === 'openai') {
    const type =
      status === 401
        ? 'authentication_error'
        : status === 429
          ? 'rate_limit_error'
          : status >= 500
            ? 'server_error'
            : 'invalid_request_error';
    return { error: { message, type, param: null, code: null } };
  }
  return { error: message };
}

/** Answers a request with an error in its protocol's shape (and Retry-After when given). */
export function sendError(
  request: FastifyRequest,
  reply: FastifyReply,
  e: HttpError,
): FastifyReply {
  if (e.retryAfter !== undefined)
    reply.header('retry-after', String(Math.max(1, Math.ceil(e.retryAfter))));
  if (e.status === 401) reply.header('www-authenticate', 'Bearer');
  return reply
    .code(e.status)
    .send(errorBody(request.routeOptions.config.protocol, e.status, e.message));
}

export { HttpError };
