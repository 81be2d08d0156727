import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { studyView } from '../../src/dashboard/studies.js';
import { StudyStore } from '../../src/tune/storage.js';

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
});
