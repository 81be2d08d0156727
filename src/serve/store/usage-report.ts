/**
 * Usage aggregated for billing: requests, successes, items, tokens and latency between two
 * instants, grouped by any of customer, model, version, endpoint, status and day.
 * `usageReport(db, {from: Date.parse('2026-12-01'), to: Date.now(), by: ['customer', 'model']})`
 */
import type { SqliteDatabase } from './store.js';

export const USAGE_GROUPS = {
  customer: 'customer',
  model: 'model',
  version: 'version',
  endpoint: 'endpoint',
  status: 'status',
  key: 'key_id',
  day: "strftime('%Y-%m-%d', ts / 1000, 'unixepoch')",
} as const;

export type UsageGroup = keyof typeof USAGE_GROUPS;

export interface UsageQuery {
  /** Inclusive lower bound, ms since the epoch. */
  from: number;
  /** Exclusive upper bound, ms since the epoch. */
  to: number;
  by: readonly UsageGroup[];
}

export interface UsageRow {
  [group: string]: string | number | null;
  requests: number;
  succeeded: number;
  items: number;
  tokens: number;
  meanLatencyMs: number;
}

export function usageReport(db: SqliteDatabase, query: UsageQuery): UsageRow[] {
  for (const g of query.by) {
    if (!(g in USAGE_GROUPS)) {
      throw new RangeError(
        `usage: cannot group by '${g}'; use ${Object.keys(USAGE_GROUPS).join(', ')}`,
      );
    }
  }
  if (!(Number.isFinite(query.from) && Number.isFinite(query.to))) {
    throw new RangeError('usage: from and to must be valid instants');
  }
  const groups = query.by.map((g) => `${USAGE_GROUPS[g]} AS "${g}"`);
  const sql = `SELECT ${[...groups, 'COUNT(*) AS requests', 'SUM(status >= 200 AND status < 300) AS succeeded', 'SUM(items) AS items', 'SUM(tokens) AS tokens', 'AVG(latency_ms) AS meanLatencyMs'].join(', ')}
    FROM usage WHERE ts >= ? AND ts < ?
    ${query.by.length > 0 ? `GROUP BY ${query.by.map((_, i) => i + 1).join(', ')} ORDER BY ${query.by.map((_, i) => i + 1).join(', ')}` : ''}`;
  return (db.prepare(sql).all(query.from, query.to) as UsageRow[]).filter((r) => r.requests > 0);
}

/** The report as CSV (RFC 4180 quoting), header first. */
export function usageCsv(rows: readonly UsageRow[], by: readonly UsageGroup[]): string {
  const columns = [...by, 'requests', 'succeeded', 'items', 'tokens', 'meanLatencyMs'];
  const cell = (v: unknown) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
  };
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c])).join(','))]
    .map((l) => `${l}\n`)
    .join('');
}
