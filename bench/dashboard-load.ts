/**
 * Dashboard responsiveness with many runs: 100 runs of 10,000 points each, then in Chromium the
 * page load (until the runs table is filled), selecting runs (fetch + draw) and a live update
 * (SSE rows appended, chart redrawn). `npx tsx bench/dashboard-load.ts [runs] [points]`
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startDashboard } from '../src/dashboard/server.js';
import { TrackingStore } from '../src/tracking/store.js';

const runs = Number(process.argv[2] ?? 100);
const points = Number(process.argv[3] ?? 10000);
const dir = mkdtempSync(join(tmpdir(), 'keel-dash-bench-'));
const store = TrackingStore.open(dir);
const t0 = Date.now() / 1000;
const ids: string[] = [];
for (let r = 0; r < runs; r++) {
  const id = store.createRun({
    name: `run-${String(r).padStart(3, '0')}`,
    params: { lr: 0.001 * (r + 1) },
    tags: [`group${r % 5}`],
  });
  const rows = Array.from({ length: points }, (_, i) => ({
    key: 'loss',
    scope: 'batch' as const,
    step: i,
    epoch: Math.floor(i / 250),
    wall: t0 + i * 0.01,
    value: 2 / (1 + i / (100 + r)) + 0.01 * Math.random(),
  }));
  store.appendMetrics(id, rows);
  store.endRun(id, 'finished');
  ids.push(id);
}
const dashboard = await startDashboard({ dir, port: 0 });
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox'],
});
const page = await browser.newPage();
const median = (a: number[]) => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)]!;
const loads: number[] = [];
for (let i = 0; i < 5; i++) {
  const t = performance.now();
  await page.goto(dashboard.url);
  await page.waitForFunction(() => (globalThis as any).__keel?.ready);
  loads.push(performance.now() - t);
}
const selects: number[] = [];
for (let k = 0; k < 5; k++) {
  const t = performance.now();
  await page.click(`#runs tbody tr[data-id="${ids[k]}"] input[type=checkbox]`);
  await page.waitForFunction((n) => (globalThis as any).__keel.chartPoints.length === n, k + 1);
  selects.push(performance.now() - t);
}
const updates: number[] = [];
for (let u = 0; u < 5; u++) {
  const before = (await page.evaluate(() => (globalThis as any).__keel.updates)) as number;
  store.appendMetrics(ids[0]!, [
    {
      key: 'loss',
      scope: 'batch',
      step: points + u,
      epoch: 99,
      wall: Date.now() / 1000,
      value: 0.5,
    },
  ]);
  await page.waitForFunction((b) => (globalThis as any).__keel.updates > b, before);
  updates.push((await page.evaluate(() => (globalThis as any).__keel.lastUpdateMs)) as number);
}
console.log(`${runs} runs x ${points} points`);
console.log(
  `page load (table of ${runs} runs ready): median ${median(loads).toFixed(0)} ms of ${loads.map((v) => v.toFixed(0)).join(' ')}`,
);
console.log(
  `select a run (fetch 2,000 downsampled points + redraw all selected): median ${median(selects).toFixed(0)} ms of ${selects.map((v) => v.toFixed(0)).join(' ')}`,
);
console.log(
  `live chart update (5 series): median ${median(updates).toFixed(1)} ms of ${updates.map((v) => v.toFixed(1)).join(' ')}`,
);
await browser.close();
await dashboard.close();
store.close();
rmSync(dir, { recursive: true, force: true });
