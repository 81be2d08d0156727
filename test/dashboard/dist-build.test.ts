/**
 * The dashboard of a built package: `npm run build` is tsc (tsconfig.build.json) then
 * scripts/copy-assets.mjs; tsc alone leaves out the page (src/dashboard/web/), which the compiled
 * server looks for beside itself. This builds the dashboard server's modules the same way into a
 * scratch output folder (type checks skipped: `npx tsc --noEmit` does those) and checks that the
 * server running from it answers its page, its scripts and uPlot.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..', '..');
// Inside the repository, so the built modules resolve fastify and uplot from its node_modules.
const scratch = join(root, '.keel-tmp', `dist-build-${process.pid}`);
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('dashboard from a built dist/', () => {
  it('serves its page, scripts and uPlot after tsc and copy-assets', async () => {
    mkdirSync(scratch, { recursive: true });
    const out = join(scratch, 'dist');
    writeFileSync(
      join(scratch, 'tsconfig.json'),
      JSON.stringify({
        extends: join(root, 'tsconfig.build.json'),
        compilerOptions: { rootDir: join(root, 'src'), outDir: out, sourceMap: false },
        include: [join(root, 'src', 'dashboard', 'server.ts')],
      }),
    );
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    execFileSync(process.execPath, [tsc, '-p', join(scratch, 'tsconfig.json'), '--noCheck']);
    const server = join(out, 'dashboard', 'server.js');
    assert.ok(existsSync(server), 'tsc emitted dashboard/server.js');
    assert.ok(!existsSync(join(out, 'dashboard', 'web')), 'tsc alone does not copy the page');
    const { buildDashboard } = await import(pathToFileURL(server).href);
    assert.throws(
      () => buildDashboard({ dir: join(scratch, 'runs') }),
      /keel dashboard: the page is missing .*copy-assets/,
    );
    const log = execFileSync(process.execPath, [join(root, 'scripts', 'copy-assets.mjs'), out], {
      encoding: 'utf8',
    });
    assert.match(log, /asset files copied/);

    const app = buildDashboard({ dir: join(scratch, 'runs') });
    try {
      const page = await app.inject({ method: 'GET', url: '/' });
      assert.equal(page.statusCode, 200);
      assert.match(page.headers['content-type'], /text\/html/);
      assert.match(page.body, /<script src="?\/?app\.js/);
      for (const url of ['/app.js', '/graph.js', '/studies.js', '/style.css']) {
        const r = await app.inject({ method: 'GET', url });
        assert.equal(r.statusCode, 200, url);
        assert.ok(r.body.length > 100, `${url} has content`);
      }
      const uplot = await app.inject({ method: 'GET', url: '/uplot/uPlot.iife.min.js' });
      assert.equal(uplot.statusCode, 200);
      assert.equal((await app.inject({ method: 'GET', url: '/api/runs' })).body, '[]');
    } finally {
      await app.close();
    }
  });
});
