import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calibrationProgress, searchProgress } from '../../src/cli/task-progress.js';
import { TaskProgress } from '../../src/utils/task-progress.js';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (s: string) => chunks.push(s) }, chunks };
}

/** A clock advanced by hand, in milliseconds. */
function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('TaskProgress', () => {
  it('off a terminal prints the first line, then at most one per interval, and always the last', () => {
    const { stream, chunks } = sink(false);
    const c = clock();
    const p = new TaskProgress({ label: 'Work', target: 10, stream, interval: 1, now: c.now });
    for (let i = 0; i <= 10; i++) {
      p.update(i, { loss: 1 / (i + 1) }, `item ${i}`);
      c.advance(300);
    }
    // t = 0, 1200, 2400 ms pass the 1 s interval (steps 0, 4, 8), then the final step 10.
    assert.deepEqual(chunks, [
      'Work 0/10 - loss: 1.0000 - item 0\n',
      'Work 4/10 - loss: 0.2000 - item 4\n',
      'Work 8/10 - loss: 0.1111 - item 8\n',
      'Work 10/10 - loss: 0.0909 - item 10\n',
    ]);
    p.update(10);
    assert.equal(chunks.length, 4, 'nothing after the end');
  });

  it('everyStep prints whenever the count advances; finish ends a task stopped early', () => {
    const { stream, chunks } = sink(false);
    const c = clock();
    const p = new TaskProgress({ label: 'T', target: 5, stream, everyStep: true, now: c.now });
    p.update(0, undefined, 'a');
    p.update(0, undefined, 'b'); // same count, inside the interval: silent
    p.update(1, undefined, 'c');
    p.finish(2, { best: 0.5 });
    assert.deepEqual(chunks, ['T 0/5 - a\n', 'T 1/5 - c\n', 'T 2/5 - best: 0.5000\n']);
  });

  it('on a terminal draws a bar in place under its label, and log clears the bar line', () => {
    const { stream, chunks } = sink(true);
    const c = clock();
    const p = new TaskProgress({ label: 'Work', target: 4, stream, color: false, now: c.now });
    c.advance(200);
    p.update(1, undefined, 'layer a');
    p.log('a line');
    c.advance(200);
    p.update(4, undefined, 'layer b');
    assert.equal(chunks[0], 'Work\n');
    assert.match(chunks[1]!, /^\r1\/4 ━━━━━─+ \S+ \S+\/step - layer a$/);
    assert.equal(chunks[2], '\r\x1b[Ka line\n');
    assert.match(chunks[3]!, /^\r4\/4 ━{20} \S+ \S+\/step - layer b\s*\n$/);
  });
});

describe('keel progress listeners', () => {
  it('calibrationProgress opens one bar per stage and names the layer', () => {
    const { stream, chunks } = sink(false);
    const on = calibrationProgress(stream);
    on({ stage: 'activations', done: 0, total: 2, layer: 'dense' });
    on({ stage: 'activations', done: 2, total: 2, layer: 'dense_1' });
    on({ stage: 'ranges', done: 0, total: 1, layer: 'dense' });
    on({ stage: 'ranges', done: 1, total: 1, layer: 'dense' });
    assert.deepEqual(chunks, [
      'Calibrating activations 0/2 - layer dense\n',
      'Calibrating activations 2/2 - layer dense_1\n',
      'Calibrating ranges 0/1 - layer dense\n',
      'Calibrating ranges 1/1 - layer dense\n',
    ]);
  });

  it('searchProgress shows trials done / max, the best so far and the running epoch', () => {
    const { stream, chunks } = sink(false);
    const s = searchProgress(stream);
    const standing = { maxTrials: 3, objective: 'val_accuracy' };
    s.onProgress({
      type: 'epoch',
      trial: 0,
      epoch: 1,
      epochs: 2,
      logs: { val_accuracy: 0.75 },
      trialsDone: 0,
      best: null,
      ...standing,
    });
    s.log('Trial 0 complete');
    s.onProgress({
      type: 'trial',
      trial: 0,
      state: 'complete',
      trialsDone: 1,
      best: 0.8,
      ...standing,
    });
    s.finish();
    assert.deepEqual(chunks, [
      'Tuning 0/3 - trial 0 epoch 1/2, val_accuracy 0.7500\n',
      'Trial 0 complete\n',
      'Tuning 1/3 - best val_accuracy: 0.8000 - trial 0 complete\n',
      'Tuning 1/3 - best val_accuracy: 0.8000\n',
    ]);
  });
});
