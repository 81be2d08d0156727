/**
 * The dashboard's run details and tuning studies in Chromium: the artifacts with their downloads,
 * the model summary and the layer graph of a functional model; a study's trials table, best-so-far
 * curve and Pareto front, updated live while a search adds trials. Screenshots go to
 * test-artifacts/dashboard/ (git-ignored).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import '../../src/backends/index.js';
import { startDashboard } from '../../src/dashboard/server.js';
import { ModelCheckpoint } from '../../src/io/checkpoint/model-checkpoint.js';
import { randomNormal } from '../../src/random/tensors.js';
import { Tracking } from '../../src/tracking/index.js';
import { RandomSearch } from '../../src/tune/tuners.js';
import { branchyModel } from '../tracking/branchy-model.js';
import { build, data } from '../tune/fixtures/tiny-space.js';

const CHROMIUM = '/usr/bin/chromium';
const shots = join(process.cwd(), 'test-artifacts', 'dashboard');
const dir = mkdtempSync(join(tmpdir(), 'keel-dashboard-details-'));
const runs = join(dir, 'runs');
const tuning = join(dir, 'tuning');
const checkpoint = join(dir, 'ckpt.keel');

let skip: string | false = false;
if (!existsSync(CHROMIUM)) skip = `${CHROMIUM} is not installed (apt-get install chromium)`;

const { x, y, validationData } = data();
const searchArgs = { verbose: 0, validationData, batchSize: 32, epochs: 1 };
/** A two-objective random search of the tiny space; `maxTrials` grows when it resumes. */
const paretoSearch = (maxTrials: number) =>
  new RandomSearch({
    build,
    objective: ['val_accuracy', { name: 'params', direction: 'min' }],
    maxTrials,
    seed: 5,
    directory: tuning,
    projectName: 'pareto',
  });

async function branchyRun(): Promise<void> {
  const model = branchyModel();
  await model.fit(randomNormal([24, 4]), randomNormal([24, 2]), {
    epochs: 2,
    batchSize: 8,
    verbose: 0,
    callbacks: [
      new ModelCheckpoint(checkpoint),
      new Tracking({ dir: runs, name: 'branchy', checkpoints: [checkpoint] }),
    ],
  });
}

describe('dashboard run details and tuning studies in Chromium', { skip }, () => {
  let dashboard: Awaited<ReturnType<typeof startDashboard>>;
  let browser: Browser | null = null;
  let page: Page;
  before(async () => {
    mkdirSync(shots, { recursive: true });
    await branchyRun();
    const search = paretoSearch(4);
    await search.search(x, y, searchArgs);
    search.close();
    dashboard = await startDashboard({ dir: runs, port: 0, tuning, intervalMs: 200 });
    try {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    } catch (e) {
      console.log(`# skipping the browser checks: chromium cannot start: ${(e as Error).message}`);
      return;
    }
    page = await browser.newPage({ acceptDownloads: true });
    // A loaded CI machine renders slowly: the waits bound a hang, not the page's speed.
    page.setDefaultTimeout(120_000);
    await page.goto(dashboard.url);
    await page.waitForFunction(() => (globalThis as any).__keel?.ready);
  });
  after(async () => {
    await browser?.close();
    await dashboard?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the summary and the layer graph, and downloads the checkpoint', async (t) => {
    if (!browser) return t.skip('chromium cannot start');
    await page.click('#runs tbody td.name:text-is("branchy")');
    await page.waitForSelector('#graph svg g.node');
    assert.match((await page.textContent('#summary')) ?? '', /Total params: 37/);
    const nodes = await page.$$eval('#graph g.node', (gs) => gs.map((g) => g.textContent));
    assert.deepEqual(nodes.length, 5);
    assert.match(nodes[3]!, /joined \(Concatenate\)\(None, 5\)/);
    const edges = await page.$$eval('#graph line.edge', (ls) =>
      ls.map((l) => `${l.getAttribute('data-from')}>${l.getAttribute('data-to')}`),
    );
    assert.deepEqual(edges, ['x>left', 'x>right', 'left>joined', 'right>joined', 'joined>out']);
    // The two branches sit side by side, one row below the input.
    const boxes = await page.$$eval('#graph g.node', (gs) =>
      gs.map((g) => g.getBoundingClientRect().top),
    );
    assert.equal(boxes[1], boxes[2]);
    assert.ok(boxes[0]! < boxes[1]! && boxes[2]! < boxes[3]! && boxes[3]! < boxes[4]!);
    const links = await page.$$eval('#artifacts a', (as) => as.map((a) => a.textContent));
    assert.deepEqual(links, ['checkpoints/ckpt.keel', 'graph', 'summary']);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.click('#artifacts a:text-is("checkpoints/ckpt.keel")'),
    ]);
    assert.equal(download.suggestedFilename(), 'ckpt.keel');
    const saved = join(dir, 'downloaded.keel');
    await download.saveAs(saved);
    assert.deepEqual(readFileSync(saved), readFileSync(checkpoint));
    await page.screenshot({ path: join(shots, 'run-details-graph.png'), fullPage: true });
  });

  it('shows the trials, the best-so-far curve and the Pareto front, and follows a running search', async (t) => {
    if (!browser) return t.skip('chromium cannot start');
    await page.waitForSelector('#studies-section:not([hidden]) #trials tbody tr');
    // The table and the Pareto chart render from the same update but not in one frame: wait for both.
    const rendered = (n: number) =>
      page.waitForFunction(
        (k) => {
          const d = (globalThis as any).document;
          return (
            d.querySelectorAll('#trials tbody tr').length === k &&
            d.querySelectorAll('#pareto circle').length === k
          );
        },
        n,
        { timeout: 60_000 },
      );
    await rendered(4);
    const rows = () => page.$$eval('#trials tbody tr', (trs) => trs.length);
    assert.equal(await rows(), 4);
    const header = await page.$$eval('#trials th', (ths) => ths.map((th) => th.textContent));
    assert.deepEqual(header, [
      '#',
      'state',
      'units',
      'learningRate',
      'val_accuracy (max)',
      'params (min)',
      'epochs',
    ]);
    const view = (await (await fetch(`${dashboard.url}/api/studies/pareto`)).json()) as {
      best: unknown[];
      front: number[];
    };
    assert.equal(view.best.length, 4);
    assert.ok(view.front.length >= 1);
    const circles = await page.$$eval('#pareto circle', (cs) =>
      cs.map((c) => [Number(c.getAttribute('data-trial')), c.getAttribute('class')]),
    );
    assert.equal(circles.length, 4);
    assert.deepEqual(
      circles.filter(([, cls]) => cls === 'front').map(([n]) => n),
      view.front,
    );
    assert.equal(await page.$$eval('#study-best canvas', (c) => c.length), 1);
    await page.screenshot({ path: join(shots, 'tuning-study.png'), fullPage: true });

    // The search resumes with four more trials; the page follows without a reload.
    const updates = await page.evaluate(() => (globalThis as any).__keel.studyUpdates);
    const more = paretoSearch(8);
    await more.search(x, y, searchArgs);
    more.close();
    await rendered(8);
    assert.ok((await page.evaluate(() => (globalThis as any).__keel.studyUpdates)) > updates);
    assert.equal(await page.$$eval('#pareto circle', (cs) => cs.length), 8);
    await page.screenshot({ path: join(shots, 'tuning-study-live.png'), fullPage: true });
  });
});
