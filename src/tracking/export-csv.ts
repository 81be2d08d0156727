import type { TrackingStore } from './store.js';

/** A run's metrics as CSV: one row per point, `key,scope,step,epoch,wall,value`. */
export function runToCsv(store: TrackingStore, runId: string): string {
  const lines = ['key,scope,step,epoch,wall,value'];
  for (const r of store.allMetrics(runId)) {
    const key = /[",\n]/.test(r.key) ? `"${r.key.replace(/"/g, '""')}"` : r.key;
    lines.push(`${key},${r.scope},${r.step},${r.epoch},${r.wall},${r.value}`);
  }
  return `${lines.join('\n')}\n`;
}
