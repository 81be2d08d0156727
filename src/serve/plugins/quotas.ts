/**
 * Per-key quotas (requests and tokens per calendar minute, day and month, UTC) and the token-bucket
 * rate limit, checked before a billable request runs: a request over any limit gets 429 with
 * Retry-After and the limit it hit. Counts start from the database's committed usage the first
 * time a key is seen, then are kept in memory.
 */
import type { FastifyInstance } from 'fastify';
import type { Quota, ServeStore } from '../store/store.js';
import { HttpError, sendError } from './request-context.js';
import { TokenBucket } from './token-bucket.js';

type Period = 'minute' | 'day' | 'month';
const PERIODS: readonly Period[] = ['minute', 'day', 'month'];

/** The window containing `now`: its start and end, ms. */
export function windowOf(period: Period, now: number): { start: number; end: number } {
  const d = new Date(now);
  if (period === 'minute') {
    const start = Math.floor(now / 60_000) * 60_000;
    return { start, end: start + 60_000 };
  }
  if (period === 'day') {
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    return { start, end: start + 86_400_000 };
  }
  return {
    start: Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1),
    end: Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1),
  };
}

interface Counter {
  start: number;
  end: number;
  requests: number;
  tokens: number;
}

const QUOTA_CACHE_MS = 1000;

export class QuotaLimiter {
  private readonly counters = new Map<number, Record<Period, Counter>>();
  private readonly buckets = new Map<number, TokenBucket>();
  private readonly quotas = new Map<number, { quota: Quota; at: number }>();

  constructor(private readonly store: ServeStore) {}

  /** The key's quota, re-read from the store at most once a second (admin changes apply fast). */
  quotaOf(keyId: number, now = Date.now()): Quota {
    const cached = this.quotas.get(keyId);
    if (cached && now - cached.at < QUOTA_CACHE_MS) return cached.quota;
    const quota = this.store.getQuota(keyId);
    this.quotas.set(keyId, { quota, at: now });
    return quota;
  }

  private countersOf(keyId: number, now: number): Record<Period, Counter> {
    let c = this.counters.get(keyId);
    if (!c) {
      const fresh = {} as Record<Period, Counter>;
      for (const p of PERIODS) {
        const w = windowOf(p, now);
        fresh[p] = { ...w, ...this.store.usageSince(keyId, w.start) };
      }
      this.counters.set(keyId, (c = fresh));
    }
    for (const p of PERIODS) {
      if (now >= c[p].end) c[p] = { ...windowOf(p, now), requests: 0, tokens: 0 };
    }
    return c;
  }

  /** Admits one request of `keyId` or throws a 429 HttpError naming the limit. */
  admit(keyId: number, now = Date.now()): void {
    const quota = this.quotaOf(keyId, now);
    const counters = this.countersOf(keyId, now);
    for (const p of PERIODS) {
      const c = counters[p];
      const cap = quota[`requestsPer${cap1(p)}` as keyof Quota];
      if (cap !== undefined && c.requests >= cap)
        throw new HttpError(429, `quota exceeded: ${cap} requests per ${p}`, (c.end - now) / 1000);
      const tokenCap = quota[`tokensPer${cap1(p)}` as keyof Quota];
      if (tokenCap !== undefined && c.tokens >= tokenCap)
        throw new HttpError(
          429,
          `quota exceeded: ${tokenCap} tokens per ${p}`,
          (c.end - now) / 1000,
        );
    }
    if (quota.ratePerSecond !== undefined) {
      let bucket = this.buckets.get(keyId);
      const burst = quota.burst ?? Math.max(1, quota.ratePerSecond);
      if (!bucket || bucket.rate !== quota.ratePerSecond || bucket.burst !== burst)
        this.buckets.set(keyId, (bucket = new TokenBucket(quota.ratePerSecond, burst)));
      const wait = bucket.take();
      if (wait > 0)
        throw new HttpError(
          429,
          `rate limit: ${quota.ratePerSecond} requests per second (burst ${burst})`,
          wait,
        );
    }
    for (const p of PERIODS) counters[p].requests++;
  }

  /** Counts tokens a finished request used. */
  addTokens(keyId: number, tokens: number, now = Date.now()): void {
    if (tokens <= 0) return;
    const counters = this.countersOf(keyId, now);
    for (const p of PERIODS) counters[p].tokens += tokens;
  }
}

const cap1 = (p: Period) => p[0]!.toUpperCase() + p.slice(1);

export function quotaPlugin(app: FastifyInstance, limiter: QuotaLimiter): void {
  app.addHook('preHandler', async (request, reply) => {
    const keyId = request.principal?.keyId;
    if (!request.routeOptions.config.billable || keyId === null || keyId === undefined) return;
    try {
      limiter.admit(keyId);
    } catch (e) {
      if (e instanceof HttpError) return sendError(request, reply, e);
      throw e;
    }
  });
}
