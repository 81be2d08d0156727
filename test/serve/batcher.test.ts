/** Dynamic batching: batches fill to maxBatchSize while work runs, idle means now, shed when full, time out. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Batcher, QueueFullError, TimeoutError } from '../../src/serve/inference/batcher.js';
import type { WireTensor } from '../../src/serve/inference/wire.js';

const rows = (values: number[]): WireTensor => ({
  data: Float32Array.from(values),
  shape: [values.length, 1],
});

/** A runner that doubles its input after `ms`, recording every batch's rows. */
function doubler(ms: number, seen: number[]) {
  return async (inputs: WireTensor[]) => {
    seen.push(inputs[0]!.shape[0]!);
    await new Promise((r) => setTimeout(r, ms));
    const x = inputs[0]!;
    return [{ data: x.data.map((v) => 2 * v), shape: x.shape }];
  };
}

describe('Batcher', () => {
  it('merges concurrent requests into batches of at most maxBatchSize and splits the answers', async () => {
    const seen: number[] = [];
    const b = new Batcher(doubler(20, seen), {
      maxBatchSize: 4,
      maxQueueDelayMicros: 50_000,
      maxQueueSize: 100,
      maxInFlight: 1,
    });
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => b.submit([rows([i])], 5000)),
    );
    for (let i = 0; i < answers.length; i++)
      assert.deepEqual(Array.from(answers[i]![0]!.data), [2 * i]);
    assert.ok(
      seen.every((n) => n <= 4),
      `batches ${seen}`,
    );
    assert.equal(
      seen.reduce((s, n) => s + n, 0),
      10,
    );
    assert.ok(seen.length <= 4, `10 requests should need at most 4 batches, got ${seen}`);
  });

  it('runs a lone request at once when nothing runs, without waiting for the queue delay', async () => {
    const seen: number[] = [];
    const b = new Batcher(doubler(0, seen), {
      maxBatchSize: 64,
      maxQueueDelayMicros: 2_000_000,
      maxQueueSize: 100,
      maxInFlight: 1,
    });
    const start = performance.now();
    await b.submit([rows([1, 2])], 5000);
    const ms = performance.now() - start;
    assert.ok(ms < 1000, `a lone request waited ${ms} ms for a 2 s batch window`);
    assert.deepEqual(seen, [2]);
  });

  it('while a batch runs, a spare worker waits up to the queue delay for a fuller batch, not later', async () => {
    const seen: number[] = [];
    const b = new Batcher(doubler(300, seen), {
      maxBatchSize: 64,
      maxQueueDelayMicros: 30_000,
      maxQueueSize: 100,
      maxInFlight: 2,
    });
    const first = b.submit([rows([1])], 5000);
    const start = performance.now();
    const second = b.submit([rows([2])], 5000);
    await new Promise((r) => setTimeout(r, 5));
    const third = b.submit([rows([3])], 5000);
    await second;
    const ms = performance.now() - start;
    // The second and third leave together after ~30 ms (then run 300 ms), well before the first ends.
    assert.deepEqual(seen, [1, 2]);
    assert.ok(ms >= 300 && ms < 600, `second request answered after ${ms} ms`);
    assert.deepEqual(Array.from((await third)[0]!.data), [6]);
    assert.deepEqual(Array.from((await first)[0]!.data), [2]);
  });

  it('refuses requests beyond maxQueueSize at once (load shedding) and times out waiting ones', async () => {
    const seen: number[] = [];
    const b = new Batcher(doubler(200, seen), {
      maxBatchSize: 1,
      maxQueueDelayMicros: 0,
      maxQueueSize: 2,
      maxInFlight: 1,
    });
    const running = b.submit([rows([1])], 5000);
    const queued = [b.submit([rows([2])], 5000), b.submit([rows([3])], 50)];
    await assert.rejects(b.submit([rows([4])], 5000), QueueFullError);
    await assert.rejects(queued[1]!, TimeoutError);
    assert.deepEqual(Array.from((await running)[0]!.data), [2]);
    assert.deepEqual(Array.from((await queued[0]!)[0]!.data), [4]);
  });

  it('keeps requests of different non-batch shapes in separate batches; a failed batch fails its requests', async () => {
    const seen: number[] = [];
    let fail = false;
    const b = new Batcher(
      async (inputs) => {
        seen.push(inputs[0]!.shape[0]!);
        await new Promise((r) => setTimeout(r, 20));
        if (fail) throw new Error('worker died');
        return inputs;
      },
      { maxBatchSize: 8, maxQueueDelayMicros: 10_000, maxQueueSize: 100, maxInFlight: 1 },
    );
    // A first request runs alone; the three behind it queue and are grouped by shape.
    const running = b.submit([{ data: new Float32Array(4), shape: [1, 4] }], 5000);
    const a = b.submit([{ data: new Float32Array(2), shape: [1, 2] }], 5000);
    const c = b.submit([{ data: new Float32Array(3), shape: [1, 3] }], 5000);
    const d = b.submit([{ data: new Float32Array(2), shape: [1, 2] }], 5000);
    const out = await Promise.all([a, c, d, running]);
    assert.deepEqual(
      out.map((o) => o[0]!.shape),
      [
        [1, 2],
        [1, 3],
        [1, 2],
        [1, 4],
      ],
    );
    assert.deepEqual(seen, [1, 2, 1]);
    fail = true;
    await assert.rejects(b.submit([rows([1])], 5000), /worker died/);
  });
});
