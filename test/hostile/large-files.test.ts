/**
 * Files of 2 GiB and more: a 3 GiB sparse safetensors file (made here: a 3 GiB tensor of zeros
 * that takes no disk space, then a small tensor stored after it, past byte 2**31) is read lazily: asking for the small tensor reads its 16 bytes at their offset and nothing else,
 * in a child whose peak RSS is checked; readFileSafe refuses a file over its cap without
 * allocating it.
 */
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { expectError, expectValue, runCases } from './child.js';

const GIB = 2 ** 30;

describe('hostile: large files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-large-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'big.safetensors');
  const bigBytes = 3 * GIB;
  const header = Buffer.from(
    JSON.stringify({
      __metadata__: { note: 'sparse' },
      big: { dtype: 'U8', shape: [bigBytes], data_offsets: [0, bigBytes] },
      small: { dtype: 'F32', shape: [4], data_offsets: [bigBytes, bigBytes + 16] },
    }),
  );
  const fd = openSync(path, 'w');
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(header.length));
  writeSync(fd, prefix, 0, 8, 0);
  writeSync(fd, header, 0, header.length, 8);
  const dataStart = 8 + header.length;
  ftruncateSync(fd, dataStart + bigBytes + 16); // the 3 GiB of zeros take no disk space
  writeSync(
    fd,
    Buffer.from(new Float32Array([1.5, -2, 3.25, 7]).buffer),
    0,
    16,
    dataStart + bigBytes,
  );
  closeSync(fd);

  it('reads the requested tensors of a 3 GiB file in bounded memory', async () => {
    const P = JSON.stringify(path);
    const results = await runCases(
      {
        small: `const t = M.readSafetensors(${P}, { names: ['small'] });
          return { keys: [...t.tensors.keys()], values: [...t.tensors.get('small').data], note: t.metadata.note };`,
        headerOnly: `const t = M.readSafetensors(${P}, { names: [] }); return t.tensors.size;`,
        unknownName: `M.readSafetensors(${P}, { names: ['nope'] });`,
        capped: `M.readFileSafe(${P}, { what: 'test', maxBytes: 2 ** 31 });`,
      },
      {
        timeoutMs: 60_000,
        setup: `const M = { ...(await import(SRC + '/io/safetensors-read.ts')), ...(await import(SRC + '/utils/safe-file.ts')) };`,
      },
    );
    const small = expectValue(results, 'small');
    assert.deepEqual(small.value, { keys: ['small'], values: [1.5, -2, 3.25, 7], note: 'sparse' });
    assert.equal(expectValue(results, 'headerOnly').value, 0);
    expectError(results, 'unknownName', /big\.safetensors: no tensor named 'nope'/);
    expectError(
      results,
      'capped',
      /test: .*big\.safetensors is 3221225\d+ bytes, over the limit of 2147483648/,
    );
    for (const o of results.values()) {
      assert.ok(o.rssMiB < 400, `${o.name}: peak RSS ${o.rssMiB.toFixed(0)} MiB for a 3 GiB file`);
    }
  });
});
