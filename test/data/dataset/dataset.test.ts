import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import '../../../src/backends/index.js';
import { Dataset } from '../../../src/data/dataset/dataset.js';
import { Sequential } from '../../../src/models/sequential.js';
import { Dense } from '../../../src/nn/layers/dense.js';
import { setSeed } from '../../../src/random/rng.js';
import { tensor } from '../../../src/tensor/create.js';
import { Tensor } from '../../../src/tensor/tensor.js';

const range = (n: number) => Dataset.fromGenerator(Array.from({ length: n }, (_, i) => i));

describe('Dataset transformations', () => {
  it('map, filter, take, skip, repeat, zip', async () => {
    const ds = range(10)
      .map((x) => x * 2)
      .filter((x) => x % 3 !== 0)
      .skip(1)
      .take(3);
    assert.deepEqual(await ds.toArray(), [4, 8, 10]);
    assert.deepEqual(await range(2).repeat(3).toArray(), [0, 1, 0, 1, 0, 1]);
    assert.deepEqual(await Dataset.zip([range(3), range(5).map((x) => -x)]).toArray(), [
      [0, -0],
      [1, -1],
      [2, -2],
    ]);
    assert.equal(range(10).batch(3).size, 4);
    assert.equal(range(10).batch(3, { dropRemainder: true }).size, 3);
  });

  it('shuffle is a seeded permutation that differs per pass and repeats across instances', async () => {
    const a = range(50).shuffle(50, 7);
    const p1 = await a.toArray();
    const p2 = await a.toArray();
    assert.deepEqual(
      [...p1].sort((x, y) => x - y),
      Array.from({ length: 50 }, (_, i) => i),
    );
    assert.notDeepEqual(p1, p2);
    assert.deepEqual(await range(50).shuffle(50, 7).toArray(), p1);
    // a small buffer only moves elements locally
    const local = await range(100).shuffle(4, 1).toArray();
    for (const [i, v] of local.entries()) assert.ok(v <= i + 4, `element ${v} at ${i}`);
  });

  it('batch stacks tensors, records and tuples; paddedBatch pads', async () => {
    const ds = Dataset.fromTensorSlices({
      x: tensor([
        [1, 2],
        [3, 4],
        [5, 6],
      ]),
      y: [0, 1, 1],
      s: ['a', 'b', 'c'],
    });
    const [b0, b1] = (await ds.batch(2).toArray()) as { x: Tensor; y: Tensor; s: string[] }[];
    assert.deepEqual(b0!.x.shape, [2, 2]);
    assert.deepEqual([...b0!.x.data], [1, 2, 3, 4]);
    assert.deepEqual([...b1!.y.data], [1]);
    assert.deepEqual(b0!.s, ['a', 'b']);
    const seqs = Dataset.fromGenerator([[1, 2, 3], [4], [5, 6]]).map((a) => tensor(a));
    const [p] = (await seqs.paddedBatch(3, { paddingValue: -1 }).toArray()) as Tensor[];
    assert.deepEqual(p!.shape, [3, 3]);
    assert.deepEqual([...p!.data], [1, 2, 3, 4, -1, -1, 5, 6, -1]);
    await assert.rejects(seqs.batch(3).toArray(), /use paddedBatch/);
  });

  it('mixed leaf types in a batch are an error naming the field', async () => {
    const ds = Dataset.fromGenerator<unknown>([{ y: 1 }, { y: 'cat' }]);
    await assert.rejects(
      ds.batch(2).toArray(),
      /element\.y of batch item 1 is string "cat" but item 0 is number/,
    );
  });

  it('prefetch and cache keep the elements; cache replays without the source', async () => {
    let calls = 0;
    const src = Dataset.fromGenerator(function* () {
      calls++;
      yield* [1, 2, 3];
    });
    const cached = src.prefetch(2).cache();
    assert.deepEqual(await cached.toArray(), [1, 2, 3]);
    assert.deepEqual(await cached.toArray(), [1, 2, 3]);
    assert.equal(calls, 1);
    const dir = mkdtempSync(join(tmpdir(), 'keel-cache-'));
    const file = join(dir, 'c.bin');
    const fc = Dataset.fromTensorSlices(
      tensor([
        [1, 2],
        [3, 4],
      ]),
    ).cache(file);
    await fc.toArray();
    const again = (await Dataset.fromGenerator<Tensor>([]).cache(file).toArray()) as Tensor[];
    assert.ok(again[1] instanceof Tensor);
    assert.deepEqual([...again[1]!.data], [3, 4]);
  });

  it('map on worker threads keeps order and rebuilds tensors', async () => {
    const ds = range(20)
      .map((i) => tensor([i, i + 1]))
      .map(
        (t: { data: Float32Array; shape: number[]; dtype: string }) => ({
          data: t.data.map((v) => v * 10),
          shape: t.shape,
          dtype: t.dtype,
        }),
        {
          numParallelCalls: 2,
        },
      );
    const out = (await ds.toArray()) as unknown as Tensor[];
    assert.equal(out.length, 20);
    assert.ok(out[5] instanceof Tensor);
    assert.deepEqual([...out[5]!.data], [50, 60]);
    const dir = mkdtempSync(join(tmpdir(), 'keel-worker-'));
    const mod = join(dir, 'double.mjs');
    writeFileSync(mod, 'export function double(x) { return x * 2; }\n');
    const viaModule = await range(5)
      .map({ module: mod, export: 'double' }, { numParallelCalls: 2 })
      .toArray();
    assert.deepEqual(viaModule, [0, 2, 4, 6, 8]);
    const failing = range(3).map(
      () => {
        throw new Error('boom');
      },
      { numParallelCalls: 2 },
    );
    await assert.rejects(failing.toArray(), /Dataset\.map \(worker\).*boom/s);
  });
});

describe('Dataset sources', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-ds-'));
  it('csv: header, typed columns, quoted fields, label column', async () => {
    const file = join(dir, 'a.csv');
    writeFileSync(file, 'a,b,name,label\n1,2.5,"x, y",0\n3,,"multi\nline",1\n');
    const rows = await Dataset.csv(file).toArray();
    // Records have a null prototype (a column may be named __proto__): compare their entries.
    assert.deepEqual({ ...(rows[0] as object) }, { a: 1, b: 2.5, name: 'x, y', label: 0 });
    assert.ok(Number.isNaN((rows[1] as { b: number }).b));
    assert.equal((rows[1] as { name: string }).name, 'multi\nline');
    const xy = (await Dataset.csv(file, {
      select: ['a', 'b'],
      labelColumn: 'label',
      defaults: { b: -1 },
    }).toArray()) as {
      x: Float32Array;
      y: number;
    }[];
    assert.deepEqual([...xy[1]!.x], [3, -1]);
    assert.equal(xy[1]!.y, 1);
  });

  it('csv: malformed rows are errors with the line number, or skipped', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'a,b\n1,2\n3\n4,x\n5,6\n');
    await assert.rejects(
      Dataset.csv(file).toArray(),
      /bad\.csv line 3: expected 2 fields \(a, b\), got 1/,
    );
    await assert.rejects(
      Dataset.csv(join(dir, 'bad.csv'), { columnTypes: { b: 'number' } })
        .skip(0)
        .toArray(),
      /line 3/,
    );
    const skipped: number[] = [];
    const rows = await Dataset.csv(file, {
      badRows: 'skip',
      onSkip: (l) => skipped.push(l),
    }).toArray();
    assert.deepEqual(
      rows.map((r) => ({ ...(r as object) })),
      [
        { a: 1, b: 2 },
        { a: 5, b: 6 },
      ],
    );
    assert.deepEqual(skipped, [3, 4]);
    const quote = join(dir, 'quote.csv');
    writeFileSync(quote, 'a,b\n1,"unterminated\n');
    await assert.rejects(Dataset.csv(quote).toArray(), /quote\.csv line \d+: malformed CSV/);
    await assert.rejects(
      Dataset.csv(join(dir, 'missing.csv')).toArray(),
      /cannot read .*missing\.csv/,
    );
  });

  it('textLines streams lines', async () => {
    const file = join(dir, 't.txt');
    writeFileSync(file, 'one\ntwo\r\n\nthree');
    assert.deepEqual(await Dataset.textLines(file, { skipEmpty: true }).toArray(), [
      'one',
      'two',
      'three',
    ]);
  });
});

describe('fit on a Dataset', () => {
  function model(): Sequential {
    const m = new Sequential([new Dense(8, { activation: 'relu', inputShape: [3] }), new Dense(1)]);
    m.compile({ optimizer: 'adam', loss: 'mse' });
    return m;
  }
  const x = tensor(Array.from({ length: 40 }, (_, i) => [Math.sin(i), Math.cos(i), (i % 7) / 7]));
  const y = tensor(Array.from({ length: 40 }, (_, i) => [Math.sin(i) * 0.5 + (i % 3)]));

  it('gives the same weights as fit on the arrays (no shuffle)', async () => {
    setSeed(3);
    const a = model();
    await a.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
    setSeed(3);
    const b = model();
    await b.fit(Dataset.fromTensorSlices({ x, y }).batch(8), { epochs: 3, verbose: 0 });
    for (const [i, w] of a.getWeights().entries()) {
      assert.deepEqual([...w.data], [...b.getWeights()[i]!.data], `weight ${i}`);
    }
    const ev = (await b.evaluate(Dataset.fromTensorSlices([x, y]).batch(16), {
      verbose: 0,
    })) as number;
    const evArr = (await b.evaluate(x, y, { verbose: 0, batchSize: 16 })) as number;
    assert.ok(Math.abs(ev - evArr) < 1e-6);
    const p = (await b.predict(Dataset.fromTensorSlices(x).batch(16))) as Tensor;
    assert.deepEqual([...p.data], [...(b.predict(x) as Tensor).data]);
  });

  it('trains straight from a CSV file with a label column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-fitcsv-'));
    const file = join(dir, 'd.csv');
    const lines = ['a,b,c,target'];
    for (let i = 0; i < 64; i++)
      lines.push(`${Math.sin(i)},${Math.cos(i)},${(i % 7) / 7},${Math.sin(i) * 2}`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    setSeed(1);
    const m = model();
    const ds = Dataset.csv(file, { labelColumn: 'target' }).shuffle(64, 1).batch(16).prefetch(2);
    const h = await m.fit(ds, { epochs: 20, verbose: 0 });
    const loss = h.history.loss as number[];
    assert.ok(loss[19]! < loss[0]!, `loss falls: ${loss[0]} -> ${loss[19]}`);
  });

  it('empty datasets and unbatched elements are clear errors', async () => {
    await assert.rejects(
      model().fit(Dataset.fromGenerator([]), { verbose: 0 }),
      /fit: the dataset is empty/,
    );
    await assert.rejects(
      model().fit(Dataset.fromGenerator([42]), { verbose: 0 }),
      /fit: dataset element 0 must be a batch \{x, y\}/,
    );
    await assert.rejects(
      model().fit(
        Dataset.fromTensorSlices({ x, y })
          .batch(8)
          .map((b) => ({ ...(b as object), y: tensor([[1]]) })),
        { verbose: 0 },
      ),
      /samples.*\(dataset batch 0\)/,
    );
  });
});
