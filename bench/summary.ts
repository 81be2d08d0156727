/** Medians over rounds, Keel/peer ratios and the printed tables of `npm run bench`. */
import type { Metric, Suite } from './suites.js';

/** One contender's run in one round: its JSON line, or why it failed. */
export interface Run {
  suite: string;
  case: string;
  contender: string;
  round: number;
  result?: Record<string, unknown>;
  error?: string;
}

export interface SummaryRow {
  suite: string;
  case: string;
  metric: string;
  label: string;
  /** Median over the rounds that succeeded, per contender; null if none did. */
  medians: Record<string, number | null>;
  /**
   * Per peer: Keel's cost over the peer's (time, or memory; for rates, the peer's rate over
   * Keel's). 1 is parity, 2 means Keel takes twice as long (or as much memory).
   */
  ratios: Record<string, number | null>;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function ratio(metric: Metric, keel: number | null, peer: number | null): number | null {
  if (keel === null || peer === null || keel <= 0 || peer <= 0) return null;
  return metric.lowerIsBetter ? keel / peer : peer / keel;
}

/** The median of every metric of every contender, and Keel's ratio to each peer. */
export function summarize(suites: Suite[], runs: Run[]): SummaryRow[] {
  const rows: SummaryRow[] = [];
  for (const suite of suites) {
    for (const c of suite.cases) {
      for (const metric of suite.metrics) {
        const medians: Record<string, number | null> = {};
        for (const contender of c.contenders) {
          const values = runs
            .filter((r) => r.suite === suite.name && r.case === c.label)
            .filter((r) => r.contender === contender.name && r.result)
            .map((r) => Number(r.result![metric.key]))
            .filter(Number.isFinite);
          medians[contender.name] = median(values);
        }
        const ratios: Record<string, number | null> = {};
        for (const peer of c.contenders.filter((p) => p.name !== 'keel')) {
          ratios[peer.name] = ratio(metric, medians['keel'] ?? null, medians[peer.name] ?? null);
        }
        rows.push({
          suite: suite.name,
          case: c.label,
          metric: metric.key,
          label: metric.label,
          medians,
          ratios,
        });
      }
    }
  }
  return rows;
}

function table(lines: string[][]): string {
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return lines
    .map(
      (l) =>
        `  ${l.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ')}`,
    )
    .join('\n');
}

/** The suite's table: one row per case and metric, the medians, then Keel/peer for each peer. */
export function formatSuite(suite: Suite, rows: SummaryRow[], rounds: number): string {
  const names = suite.cases[0]!.contenders.map((c) => c.name);
  const peers = names.filter((n) => n !== 'keel');
  const lines = [['case', 'metric', ...names, ...peers.map((p) => `keel/${p}`)]];
  for (const row of rows.filter((r) => r.suite === suite.name)) {
    const metric = suite.metrics.find((m) => m.key === row.metric)!;
    const fmt = (v: number | null) => (v === null ? 'failed' : v.toFixed(metric.digits));
    const fmtRatio = (v: number | null) => (v === null ? '-' : v.toFixed(2));
    lines.push([
      row.case || '-',
      row.label,
      ...names.map((n) => fmt(row.medians[n] ?? null)),
      ...peers.map((p) => fmtRatio(row.ratios[p] ?? null)),
    ]);
  }
  const head = `${suite.name}: ${suite.title}\n  median of ${rounds} round(s); keel/peer = Keel's time (or memory) ÷ the peer's: below 1 Keel is better, above 1 Keel is worse`;
  const notes = suite.notes.map((n) => `  note: ${n}`).join('\n');
  return `${head}\n${table(lines)}${notes ? `\n${notes}` : ''}`;
}
