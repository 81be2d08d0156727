/**
 * The dashboard in a real browser (Debian's chromium driven by playwright-core): live curves,
 * two runs on one chart, the runs table's sorting and filtering, the confusion matrix and the
 * misclassified digits. Screenshots go to test-artifacts/dashboard/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { startDashboard } from '../../src/dashboard/server.js';
import { keel, keelAsync, tinyConfig } from '../cli/cli-helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const shots = join(process.cwd(), 'test-artifacts', 'dashboard');
const dir = mkdtempSync(join(tmpdir(), 'keel-dashboard-'));
const runs = join(dir, 'runs');

let browser: Browser | null = null;
let skip: string | false = false;
if (!existsSync(CHROMIUM)) skip = `${CHROMIUM} is not installed (apt-get install chromium)`;

describe('keel dashboard in Chromium', { skip }, () => {
  let dashboard: Awaited<ReturnType<typeof startDashboard>>;
  let page: Page;
  before(async () => {
    mkdirSync(shots, { recursive: true });
    // Two finished runs with evaluation artifacts.
    for (const name of ['alpha', 'beta']) {
      const r = keel(['train', tinyConfig(dir, name), '--tracking-dir', runs, '--tag', name], dir);
      assert.equal(r.status, 0, r.stderr);
    }
    dashboard = await startDashboard({ dir: runs, port: 0 });
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    } catch (e) {
      console.log(`# skipping the browser checks: chromium cannot start: ${(e as Error).message}`);
      return;
    }
    page = await browser.newPage();
    // A loaded CI machine renders slowly: the waits bound a hang, not the page's speed.
    page.setDefaultTimeout(120_000);
  });
  after(async () => {
    await browser?.close();
    await dashboard?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sorts and filters the runs table', async (t) => {
    if (!browser) return t.skip('chromium cannot start');
    // How fast the page loads is bench/dashboard-load.ts's to measure, not a test's.
    await page.goto(dashboard.url);
    await page.waitForFunction(() => (globalThis as any).__keel?.ready);
    const names = () =>
      page.$$eval('#runs tbody td.name', (tds) => tds.map((td) => td.textContent));
    assert.deepEqual((await names()).sort(), ['alpha', 'beta']);
    await page.click('th[data-key="name"]');
    assert.deepEqual(await names(), ['alpha', 'beta']);
    await page.click('th[data-key="name"]');
    assert.deepEqual(await names(), ['beta', 'alpha']);
    await page.fill('#filter', 'alph');
    assert.deepEqual(await names(), ['alpha']);
    await page.screenshot({ path: join(shots, 'runs-table.png') });
    await page.fill('#filter', '');
  });

  it('shows the confusion matrix and the worst-classified digits, and compares two runs', async (t) => {
    if (!browser) return t.skip('chromium cannot start');
    for (const name of ['alpha', 'beta']) {
      await page.click(`#runs tbody tr:has(td.name:text-is("${name}")) input[type=checkbox]`);
    }
    await page.waitForFunction(() => (globalThis as any).__keel.chartPoints.length === 2);
    const cells = await page.$$eval('#confusion td', (tds) =>
      tds.map((td) => Number(td.textContent)),
    );
    assert.equal(cells.length, 100);
    assert.equal(
      cells.reduce((a, b) => a + b, 0),
      200,
      'every test sample counted once',
    );
    const images = await page.$$eval('#worst img', (imgs) =>
      imgs.map((i) => (i as any).naturalWidth),
    );
    assert.equal(images.length, 16);
    assert.ok(
      images.every((w) => w === 28),
      'the digits decode as 28x28 images',
    );
    const series = await page.$$eval('.u-legend .u-series', (s) => s.length);
    assert.equal(series, 3, 'x and one series per run');
    const points = await page.evaluate(() => (globalThis as any).__keel.chartPoints);
    assert.deepEqual(points, [63, 63], '1000 samples / 16 per batch');
    await page.check('#logscale');
    await page.fill('#smoothing', '0.9');
    await page.dispatchEvent('#smoothing', 'input');
    await page.screenshot({ path: join(shots, 'compare-and-details.png'), fullPage: true });
  });

  it('the curve of a running job gains points while it trains', async (t) => {
    if (!browser) return t.skip('chromium cannot start');
    const config = tinyConfig(dir, 'live', (c) => {
      c.fit.epochs = 400;
      c.data.limit = 200;
    });
    const child = keelAsync(['train', config, '--tracking-dir', runs], dir);
    try {
      await page.reload();
      await page.waitForFunction(() => (globalThis as any).__keel?.ready);
      await page.waitForSelector('#runs tbody tr:has(td.name:text-is("live"))', {
        timeout: 60_000,
      });
      await page.click('#runs tbody tr:has(td.name:text-is("live")) input[type=checkbox]');
      await page.waitForFunction(() => (globalThis as any).__keel.chartPoints[0] > 0, null, {
        timeout: 60_000,
      });
      const first = (await page.evaluate(
        () => (globalThis as any).__keel.chartPoints[0],
      )) as number;
      await page.waitForFunction((n) => (globalThis as any).__keel.chartPoints[0] > n, first, {
        timeout: 60_000,
      });
      const later = (await page.evaluate(
        () => (globalThis as any).__keel.chartPoints[0],
      )) as number;
      assert.ok(later > first, `${first} -> ${later}`);
      // The update's speed is bench/dashboard-load.ts's to measure; here it only has to happen.
      await page.screenshot({ path: join(shots, 'live.png') });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
