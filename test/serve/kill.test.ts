/** kill -9 of `keel serve` under load: no committed usage record is lost and the database opens cleanly. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { ServeStore } from '../../src/serve/store/store.js';
import { bearer, saveMlp, tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
after(cleanup);

describe('kill -9 during load', () => {
  it('keeps every committed usage record; the WAL database passes integrity_check', async () => {
    saveMlp(join(dir, 'models'));
    const db = join(dir, 'serve.db');
    const store = ServeStore.open(db);
    const { key } = store.createKey('acme');
    store.close();
    const port = 18700 + (process.pid % 200);
    const child = spawn(
      process.execPath,
      [
        join(process.cwd(), 'bin', 'keel.mjs'),
        'serve',
        '--model-dir',
        join(dir, 'models'),
        '--db',
        db,
        '--port',
        String(port),
        '--no-admin',
        '--log-level',
        'error',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (d) => {
        err += d;
        if (/model\(s\)/.test(err)) resolve();
      });
      child.on('exit', () => reject(new Error(`keel serve exited: ${err}`)));
    });
    const reader = new Database(db, { readonly: true });
    const count = () =>
      (reader.prepare('SELECT COUNT(*) AS n FROM usage').get() as { n: number }).n;
    let stop = false;
    const clients = Array.from({ length: 8 }, async () => {
      while (!stop) {
        await fetch(`http://127.0.0.1:${port}/v1/models/mlp:predict`, {
          method: 'POST',
          headers: { ...bearer(key), 'content-type': 'application/json' },
          body: '{"instances": [[1, 2, 3, 4]]}',
        }).then(
          (r) => r.text(),
          () => '',
        );
      }
    });
    let committed = 0;
    for (let i = 0; i < 20 && committed < 200; i++) {
      await new Promise((r) => setTimeout(r, 200));
      committed = count();
    }
    child.kill('SIGKILL');
    stop = true;
    await Promise.all(clients);
    reader.close();
    assert.ok(committed > 0, 'records were committed under load');
    const after = new Database(db);
    assert.equal(after.pragma('integrity_check', { simple: true }), 'ok');
    const n = (after.prepare('SELECT COUNT(*) AS n FROM usage').get() as { n: number }).n;
    after.close();
    assert.ok(n >= committed, `${n} records after the kill, ${committed} seen committed before it`);
  });
});
