/** Dynamic batching: batches fill to maxBatchSize while work runs, idle means now, shed when full, time out. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Batcher,
  type BatcherOptions,
  QueueFullError,
  TimeoutError,
} from '../../src/serve/inference/batcher.js';

/** A batcher of numbers that doubles each after `ms`, recording every batch's payloads. */
function doubler(
  ms: number,
  seen: number[][],
  options: Partial<BatcherOptions<number, number>> = {},
) {
  return new Batcher<number, number>(
    async (xs) => {
      seen.push(xs);
      await new Promise((r) => setTimeout(r, ms));
      return xs.map((x) => (x < 0 ? new Error(`bad ${x}`) : 2 * x));
    },
    {
      maxBatchSize: 64,
      maxQueueDelayMicros: 0,
      maxQueueSize: 100,
      maxInFlight: 1,
      ...options,
    },
  );
}

describe('Batcher', () => {
  it('merges requests queued behind a running batch into batches of at most maxBatchSize rows', async () => {
    const seen: number[][] = [];
    const b = doubler(20, seen, { maxBatchSize: 4 });
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => b.submit(i, { rows: 1 }, 5000)),
    );
    assert.deepEqual(
      answers,
      Array.from({ length: 10 }, (_, i) => 2 * i),
    );
    // The first runs alone at once; the other nine wait behind it in batches of 4, 4, 1.
    assert.deepEqual(
      seen.map((s) => s.length),
      [1, 4, 4, 1],
    );
    assert.deepEqual(seen.flat(), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('counts rows, not requests, against maxBatchSize', async () => {
    const seen: number[][] = [];
    const b = doubler(20, seen, { maxBatchSize: 5 });
    await Promise.all([
      b.submit(1, { rows: 1 }, 5000),
      b.submit(2, { rows: 3 }, 5000),
      b.submit(3, { rows: 3 }, 5000),
      b.submit(4, { rows: 2 }, 5000),
    ]);
    assert.deepEqual(seen, [[1], [2], [3, 4]]);
  });

  it('runs a lone request at once when nothing runs, without waiting for the queue delay', async () => {
    const seen: number[][] = [];
    const b = doubler(0, seen, { maxQueueDelayMicros: 2_000_000 });
    const start = performance.now();
    assert.equal(await b.submit(1, { rows: 2 }, 5000), 2);
    const ms = performance.now() - start;
    assert.ok(ms < 1000, `a lone request waited ${ms} ms for a 2 s batch window`);
    assert.deepEqual(seen, [[1]]);
  });

  it('while a batch runs, a spare worker waits up to the queue delay for a fuller batch, not later', async () => {
    // Order, not wall time: the second and third leave together after the 30 ms queue delay, while
    // the first (300 ms) still runs. A loaded machine delays every timer, but the 30 ms one still
    // fires before the 300 ms one, so waiting for the first batch to end would show in the order.
    const events: string[] = [];
    const b = new Batcher<number, number>(
      async (xs) => {
        events.push(`start ${xs.join(',')}`);
        await new Promise((r) => setTimeout(r, 300));
        events.push(`end ${xs.join(',')}`);
        return xs.map((x) => 2 * x);
      },
      { maxBatchSize: 64, maxQueueDelayMicros: 30_000, maxQueueSize: 100, maxInFlight: 2 },
    );
    const first = b.submit(1, { rows: 1 }, 5000);
    const second = b.submit(2, { rows: 1 }, 5000);
    await new Promise((r) => setTimeout(r, 5));
    const third = b.submit(3, { rows: 1 }, 5000);
    assert.deepEqual(await Promise.all([first, second, third]), [2, 4, 6]);
    assert.deepEqual(events, ['start 1', 'start 2,3', 'end 1', 'end 2,3']);
  });

  it('refuses requests beyond maxQueueSize rows or maxQueueBytes at once (load shedding) and times out waiting ones', async () => {
    const seen: number[][] = [];
    const b = doubler(200, seen, { maxBatchSize: 1, maxQueueSize: 2, maxQueueBytes: 1000 });
    const running = b.submit(1, { rows: 1 }, 5000);
    const queued = [b.submit(2, { rows: 1 }, 5000), b.submit(3, { rows: 1 }, 50)];
    await assert.rejects(b.submit(4, { rows: 1 }, 5000), QueueFullError);
    await assert.rejects(queued[1]!, TimeoutError);
    assert.equal(await running, 2);
    assert.equal(await queued[0]!, 4);
    assert.equal(b.depth, 0);
    const big = doubler(200, [], { maxQueueBytes: 1000 });
    const first = big.submit(1, { rows: 1, bytes: 900 }, 5000);
    const second = big.submit(2, { rows: 1, bytes: 900 }, 5000);
    await assert.rejects(
      big.submit(3, { rows: 1, bytes: 200 }, 5000),
      /queue of this model is full/,
    );
    assert.deepEqual(await Promise.all([first, second]), [2, 4]);
  });

  it('keeps requests with different keys in separate batches; errors reach their own request, a failed batch fails all of it', async () => {
    const seen: number[][] = [];
    const b = doubler(20, seen, { maxBatchSize: 8 });
    const running = b.submit(0, { rows: 1, key: 'a' }, 5000);
    const x = b.submit(1, { rows: 1, key: 'a' }, 5000);
    const y = b.submit(2, { rows: 1, key: 'b' }, 5000);
    const bad = b.submit(-3, { rows: 1, key: 'a' }, 5000);
    await assert.rejects(bad, /bad -3/);
    assert.deepEqual(await Promise.all([running, x, y]), [0, 2, 4]);
    assert.deepEqual(seen, [[0], [1, -3], [2]]);
    const failing = new Batcher<number, number>(
      async () => {
        throw new Error('worker died');
      },
      { maxBatchSize: 8, maxQueueDelayMicros: 0, maxQueueSize: 10, maxInFlight: 1 },
    );
    await assert.rejects(failing.submit(1, { rows: 1 }, 5000), /worker died/);
  });

  it('inline: a request alone in an idle turn runs on the calling thread; requests arriving together go to a worker', async () => {
    const seen: number[][] = [];
    const inlined: number[] = [];
    const b = doubler(10, seen, {
      inline: (x) => {
        if (x === 99) return undefined; // declined: to a worker
        inlined.push(x);
        return x < 0 ? new Error(`bad ${x}`) : 10 * x;
      },
    });
    assert.equal(await b.submit(1, { rows: 1 }, 5000), 10);
    await assert.rejects(b.submit(-1, { rows: 1 }, 5000), /bad -1/);
    assert.equal(await b.submit(99, { rows: 1 }, 5000), 198);
    // Three in the same turn: none inline, one batch.
    assert.deepEqual(
      await Promise.all([2, 3, 4].map((x) => b.submit(x, { rows: 1 }, 5000))),
      [4, 6, 8],
    );
    assert.deepEqual(inlined, [1, -1]);
    assert.deepEqual(seen, [[99], [2, 3, 4]]);
  });
});
