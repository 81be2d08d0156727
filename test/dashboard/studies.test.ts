import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { studyView } from '../../src/dashboard/studies.js';
import { StudyStore } from '../../src/tune/storage.js';
import { keelAsync } from '../cli/cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-dashboard-studies-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const meta = { initialEpoch: 0, epochs: 1 };

/** A study whose trials finish with these objective values (null: failed). */
function study(
  objectives: { name: string; direction: 'max' | 'min' }[],
  values: (number[] | null)[],
): StudyStore {
  const store = new StudyStore(':memory:');
  store.openStudy('s', objectives, 'random', {});
  for (const v of values) {
    const n = store.addTrial('s', { units: 4 }, meta);
    store.finishTrial(
      's',
      n,
      v ? { state: 'complete', values: v } : { state: 'failed', error: 'x' },
    );
  }
  store.addTrial('s', { units: 8 }, meta); // still running
  return store;
}

describe('dashboard study views', () => {
  it('keeps the best value so far in finishing order, by the objective direction', () => {
    const store = study(
      [{ name: 'val_loss', direction: 'min' }],
      [[0.5], null, [0.7], [0.3], [0.4]],
    );
    const view = studyView(store, 's');
    assert.deepEqual(
      view.best.map((b) => [b.trial, b.value, b.best]),
      [
        [0, 0.5, 0.5],
        [2, 0.7, 0.5],
        [3, 0.3, 0.3],
        [4, 0.4, 0.3],
      ],
    );
    assert.deepEqual(view.front, [], 'one objective: no front');
    assert.equal(view.trials.length, 6);
    assert.deepEqual(view.counts, { complete: 4, failed: 1, running: 1 });
    store.close();
  });

  it('marks the Pareto front of two objectives (accuracy up, parameters down)', () => {
    const store = study(
      [
        { name: 'val_accuracy', direction: 'max' },
        { name: 'params', direction: 'min' },
      ],
      [
        [0.9, 1000],
        [0.8, 500],
        [0.85, 2000],
        [0.95, 5000],
        [0.7, 500],
      ],
    );
    // 2 is beaten by 0 on both; 4 ties 1 on size and is less accurate.
    assert.deepEqual(studyView(store, 's').front, [0, 1, 3]);
    assert.throws(() => studyView(store, 'nope'), /no study 'nope'/);
    store.close();
  });

  it('keel dashboard --tuning serves the studies of a tuning folder', async () => {
    const tuning = join(dir, 'tuning');
    const store = new StudyStore(join(tuning, 'tuning.db'));
    store.openStudy('cli-study', [{ name: 'val_accuracy', direction: 'max' }], 'random', {});
    const n = store.addTrial('cli-study', { units: 4 }, meta);
    store.finishTrial('cli-study', n, { state: 'complete', values: [0.75] });
    store.close();
    const child = keelAsync(
      ['dashboard', '--dir', join(dir, 'runs'), '--tuning', tuning, '--port', '0'],
      dir,
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d) => {
          out += d;
          const m = /Keel dashboard on (http:\/\/\S+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`keel dashboard exited ${code}`)));
      });
      const studies = (await (await fetch(`${url}/api/studies`)).json()) as { name: string }[];
      assert.deepEqual(
        studies.map((s) => s.name),
        ['cli-study'],
      );
      const view = (await (await fetch(`${url}/api/studies/cli-study`)).json()) as {
        best: { best: number }[];
      };
      assert.deepEqual(
        view.best.map((b) => b.best),
        [0.75],
      );
      const missing = await fetch(`${url}/api/studies/nope`);
      assert.equal(missing.status, 404);
      assert.match(((await missing.json()) as { error: string }).error, /no study 'nope'/);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
