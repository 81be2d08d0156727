/**
 * Dataset.textLines bounds a single line: a file that is one 3 GiB line (sparse, so the test
 * costs no disk) is a clear error after reading at most maxLineLength characters, in a child with
 * a memory cap; the cap is configurable; line endings split as readline splits them.
 */
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Dataset } from '../../src/data/dataset/index.js';
import { expectError, runCases } from './child.js';

describe('Dataset.textLines on hostile text', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-hostile-lines-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a 3 GiB file with no newline is a clean error in bounded memory, quickly', async () => {
    const path = join(dir, 'one-line.txt');
    const fd = openSync(path, 'w');
    writeSync(fd, 'start', 0);
    writeSync(fd, 'end', 3 * 2 ** 30); // a hole of NULs in between: one 3 GiB line
    closeSync(fd);
    const P = JSON.stringify(path);
    const results = await runCases(
      {
        defaultCap: `let n = 0; for await (const _ of M.Dataset.textLines(${P})) n++; return n;`,
        smallCap: `for await (const _ of M.Dataset.textLines(${P}, { maxLineLength: 1000 })) {} return 'read';`,
        badCap: `await M.Dataset.textLines(${P}, { maxLineLength: 0 }).toArray();`,
      },
      { setup: `const M = await import(SRC + '/data/dataset/index.ts');`, maxMiB: 700 },
    );
    const o = expectError(
      results,
      'defaultCap',
      /Dataset\.textLines: .*one-line\.txt: line 1 is longer than maxLineLength=16777216 characters/,
    );
    assert.ok(o.rssMiB < 700, `peak RSS ${o.rssMiB} MiB`);
    assert.ok(o.cpuMs < 20_000, `took ${o.cpuMs} ms of CPU`);
    expectError(results, 'smallCap', /line 1 is longer than maxLineLength=1000 characters/);
    expectError(results, 'badCap', /maxLineLength must be a positive integer, got 0/);
  });

  it('the cap counts per line, and endings split as readline splits them', async () => {
    const path = join(dir, 'lines.txt');
    writeFileSync(path, 'ab\r\ncd\ref\n\n\u00e9g\r');
    assert.deepEqual(await Dataset.textLines(path).toArray(), ['ab', 'cd', 'ef', '', '\u00e9g']);
    assert.deepEqual(await Dataset.textLines(path, { skipEmpty: true }).toArray(), [
      'ab',
      'cd',
      'ef',
      '\u00e9g',
    ]);
    assert.deepEqual(await Dataset.textLines(path, { maxLineLength: 2 }).toArray(), [
      'ab',
      'cd',
      'ef',
      '',
      '\u00e9g',
    ]);
    await assert.rejects(
      Dataset.textLines(path, { maxLineLength: 1 }).toArray(),
      /lines\.txt: line 1 is longer than maxLineLength=1 characters/,
    );
    writeFileSync(path, 'ok\nthis one is long\nok');
    await assert.rejects(
      Dataset.textLines(path, { maxLineLength: 5 }).toArray(),
      /line 2 is longer than maxLineLength=5/,
    );
  });
});
