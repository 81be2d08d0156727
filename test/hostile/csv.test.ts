/**
 * Hostile CSV: numbers by a strict decimal grammar (`0x1A`, `1_000`, `0b1`, `1e` are text, not
 * numbers), records with a null prototype (a column named `__proto__` or `constructor` is an
 * ordinary column), a 200,000-column header handled in linear time, and a record that never
 * ends (an unterminated quote) bounded by maxRecordBytes. Run in a child with a timeout.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parseCsvNumber } from '../../src/data/dataset/csv.js';
import { Dataset } from '../../src/data/dataset/index.js';
import { expectError, expectValue, runCases } from './child.js';

describe('hostile: CSV', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-csv-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('parses numbers by a strict decimal grammar', async () => {
    for (const [text, value] of [
      ['1', 1],
      [' -2.5 ', -2.5],
      ['.5', 0.5],
      ['3.', 3],
      ['1e3', 1000],
      ['+1E-2', 0.01],
      ['inf', Number.POSITIVE_INFINITY],
      ['-Infinity', Number.NEGATIVE_INFINITY],
    ] as const) {
      assert.equal(parseCsvNumber(text), value, text);
    }
    assert.ok(Number.isNaN(parseCsvNumber('NaN')!));
    for (const text of ['0x1A', '0b1', '0o7', '1_000', '1e', '.', '--1', '1,5', '١', 'Infinityx']) {
      assert.equal(parseCsvNumber(text), undefined, text);
    }
    const file = join(dir, 'hex.csv');
    writeFileSync(file, 'a,b\n1,2\n0x1A,3\n');
    await assert.rejects(
      Dataset.csv(file).toArray(),
      /hex\.csv line 3: column 'a' is number but holds "0x1A"/,
    );
    // Inferred from a first row of hex, the column is text, not 26.
    writeFileSync(file, 'a\n0x1A\n');
    assert.deepEqual({ ...((await Dataset.csv(file).toArray())[0] as object) }, { a: '0x1A' });
  });

  it('a column named __proto__ or constructor is an ordinary column', async () => {
    const file = join(dir, 'proto.csv');
    writeFileSync(file, '__proto__,constructor,x\n1,2,3\n4,,6\n');
    const [row] = (await Dataset.csv(file).toArray()) as Record<string, number>[];
    assert.equal(Object.getPrototypeOf(row), null);
    assert.deepEqual(Object.keys(row!), ['__proto__', 'constructor', 'x']);
    assert.equal(Object.getOwnPropertyDescriptor(row, '__proto__')?.value, 1);
    assert.equal(row!['constructor'], 2);
    // An empty field takes no default from Object.prototype.constructor.
    const rows = (await Dataset.csv(file, { defaults: { x: 0 } }).toArray()) as Record<
      string,
      number
    >[];
    assert.ok(Number.isNaN(rows[1]!['constructor']));
    const xy = (await Dataset.csv(file, { labelColumn: '__proto__' }).toArray()) as {
      x: Float32Array;
      y: number;
    }[];
    assert.deepEqual([...xy[0]!.x], [2, 3]);
    assert.equal(xy[0]!.y, 1);
  });

  it('200,000 columns read in linear time; an endless record is bounded', async () => {
    const wideFile = (n: number): string => {
      const path = join(dir, `wide-${n}.csv`);
      const names = Array.from({ length: n }, (_, i) => `c${i}`).join(',');
      writeFileSync(path, `${names}\n${'1,'.repeat(n - 1)}1\n`);
      return path;
    };
    const n = 200_000;
    const wide = wideFile(n);
    const narrow = wideFile(n / 8);
    const endless = join(dir, 'endless.csv');
    writeFileSync(endless, `a,b\n1,"${'x'.repeat(2 ** 20)}`);
    const results = await runCases(
      {
        narrow: `await M.Dataset.csv(${JSON.stringify(narrow)}).toArray();`,
        wide: `const rows = await M.Dataset.csv(${JSON.stringify(wide)}).toArray();
          return [rows.length, Object.keys(rows[0]).length];`,
        endless: `await M.Dataset.csv(${JSON.stringify(endless)}, { maxRecordBytes: 65536 }).toArray();`,
      },
      { timeoutMs: 60_000, setup: `const M = await import(SRC + '/data/dataset/index.ts');` },
    );
    const w = expectValue(results, 'wide');
    assert.deepEqual(w.value, [1, n]);
    // CPU time, not wall time (the machine may be shared): 8× the columns must cost about 8×
    // the time, far from the 64× of a quadratic header.
    const ratio = w.cpuMs / expectValue(results, 'narrow').cpuMs;
    assert.ok(ratio < 20, `8× the columns cost ${ratio.toFixed(1)}× the CPU time`);
    assert.ok(w.cpuMs < 20_000, `200k columns took ${w.cpuMs.toFixed(0)} ms of CPU`);
    expectError(
      results,
      'endless',
      /endless\.csv line \d+: malformed CSV .*max_record_size|record/i,
    );
  });
});
