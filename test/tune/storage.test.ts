import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StudyStore } from '../../src/tune/storage.js';

const root = mkdtempSync(join(tmpdir(), 'keel-tune-store-'));
after(() => rmSync(root, { recursive: true, force: true }));
const objectives = [{ name: 'val_accuracy', direction: 'max' as const }];

describe('StudyStore', () => {
  it('stores studies, trials and per-epoch values, and reads them back from another connection', () => {
    const path = join(root, 'a.db');
    const store = new StudyStore(path);
    store.openStudy('s', objectives, 'random', { seed: 1 });
    const n0 = store.addTrial('s', { units: 8 }, { initialEpoch: 0, epochs: 2 });
    const n1 = store.addTrial('s', { units: 16 }, { initialEpoch: 0, epochs: 2 });
    assert.deepEqual([n0, n1], [0, 1]);
    store.reportIntermediate('s', n0, { step: 0, value: 0.5, logs: { val_accuracy: 0.5 } });
    store.reportIntermediate('s', n0, { step: 1, value: 0.7, logs: { val_accuracy: 0.7 } });
    store.finishTrial('s', n0, {
      state: 'complete',
      values: [0.7],
      metrics: { val_accuracy: 0.7, params: 10 },
    });
    const reader = new StudyStore(path); // a dashboard's read-only view while the search writes
    const [study] = reader.listStudies();
    assert.equal(study!.name, 's');
    assert.deepEqual(study!.counts, { complete: 1, running: 1 });
    const trials = reader.listTrials('s');
    assert.deepEqual(
      trials[0]!.intermediate.map((v) => v.value),
      [0.5, 0.7],
    );
    assert.deepEqual(trials[0]!.values, [0.7]);
    assert.equal(trials[1]!.state, 'running');
    assert.equal(reader.db.pragma('user_version', { simple: true }), 1);
    assert.equal(reader.db.pragma('journal_mode', { simple: true }), 'wal');
    reader.close();
    // a killed search's running trials are queued again, their epochs forgotten
    store.reportIntermediate('s', n1, { step: 0, value: 0.4, logs: {} });
    assert.deepEqual(store.requeueInterrupted('s'), [1]);
    const t1 = store.listTrials('s')[1]!;
    assert.equal(t1.state, 'waiting');
    assert.deepEqual(t1.intermediate, []);
    store.close();
  });

  it('refuses to mix two searches in one study and names a missing study', () => {
    const store = new StudyStore(join(root, 'b.db'));
    store.openStudy('s', objectives, 'random', {});
    assert.throws(
      () => store.openStudy('s', objectives, 'hyperband', {}),
      /study 's'.*was created for random/,
    );
    assert.throws(() => store.listTrials('nope'), /no study 'nope'.*studies: s/);
    store.close();
  });
});
