import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Sequential } from '../../src/models/sequential.js';
import { Dense } from '../../src/nn/layers/index.js';
import '../../src/backends/index.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const keel = join(process.cwd(), 'bin', 'keel.mjs');

describe('keel command line', () => {
  it('lists its commands and exits 0 on --help', () => {
    const out = execFileSync(process.execPath, [keel, '--help'], { encoding: 'utf8' });
    assert.match(out, /Usage: keel/);
    assert.match(out, /summary/);
  });

  it('ends quietly with exit 0 when the reader of its output goes away (EPIPE)', async () => {
    const child = spawn(process.execPath, [keel, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // closes the read end before keel writes: its writes fail with EPIPE
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(stderr, '');
    assert.equal(code, 0);
  });

  it('summary --json reports the layers and parameter count of a saved model', () => {
    const model = new Sequential([
      new Dense(3, { inputShape: [4], activation: 'relu', name: 'hidden' }),
      new Dense(2, { name: 'out' }),
    ]);
    const file = join(dir, 'small.keel');
    model.save(file);
    const out = execFileSync(process.execPath, [keel, 'summary', file, '--json'], {
      encoding: 'utf8',
    });
    const info = JSON.parse(out);
    assert.equal(info.params, 4 * 3 + 3 + 3 * 2 + 2);
    assert.deepEqual(
      info.layers.map((l: { name: string }) => l.name),
      ['hidden', 'out'],
    );
  });

  it('exits 2 with a message naming the file when it does not exist, and on unknown options', () => {
    const missing = spawnSync(process.execPath, [keel, 'summary', join(dir, 'nope.keel')], {
      encoding: 'utf8',
    });
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such model file or folder: .*nope\.keel/);
    const bad = spawnSync(process.execPath, [keel, 'summary', '--frobnicate'], {
      encoding: 'utf8',
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown option/);
  });
});
