/**
 * What the hunt over the public readers found (issue 22 e), each fixed: safetensors data with
 * bytes no tensor describes (a hole, a tail) was silently accepted; a tokenizer vocabulary with a
 * huge or shared id gave a vocabularySize of billions or decoded two tokens alike. Also pinned:
 * prototype and NUL names stay plain names, and a symlink loop is a clean error.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeSafetensors, readSafetensors } from '../../src/io/safetensors-read.js';
import { BytePairTokenizer } from '../../src/text/byte-pair-tokenizer.js';
import { assertCleanError, runIsolated } from './child.js';

/** A safetensors file from a raw JSON header and `dataBytes` zero bytes of data. */
function safetensors(header: string, dataBytes: number): Uint8Array {
  const h = Buffer.from(header);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  return new Uint8Array(Buffer.concat([len, h, Buffer.alloc(dataBytes)]));
}

const f32 = (shape: number[], begin: number, end: number) =>
  `{"dtype":"F32","shape":${JSON.stringify(shape)},"data_offsets":[${begin},${end}]}`;

describe('hunt: hostile inputs found misread, now refused', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-hostile-hunt-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('safetensors: data bytes that belong to no tensor are refused', () => {
    assert.throws(
      () =>
        decodeSafetensors(safetensors(`{"a":${f32([1], 0, 4)},"b":${f32([1], 8, 12)}}`, 12), 'gap'),
      /gap: bytes \[4, 8\) of the data belong to no tensor \(before 'b'\)/,
    );
    assert.throws(
      () => decodeSafetensors(safetensors(`{"a":${f32([1], 0, 4)}}`, 16), 'tail'),
      /tail: bytes \[4, 16\) at the end of the data belong to no tensor/,
    );
    assert.throws(
      () => decodeSafetensors(safetensors(`{"a":${f32([1], 4, 8)}}`, 8), 'head'),
      /head: bytes \[0, 4\) of the data belong to no tensor \(before 'a'\)/,
    );
    const ok = decodeSafetensors(
      safetensors(`{"b":${f32([1], 4, 8)},"a":${f32([1], 0, 4)},"e":${f32([0], 8, 8)}}`, 8),
      'ok',
    );
    assert.deepEqual([...ok.tensors.keys()].sort(), ['a', 'b', 'e']);
  });

  it('safetensors: prototype keys and NUL in names are plain names; NaN, negative or fractional offsets are refused', () => {
    const header = `{"__proto__":${f32([1], 0, 4)},"constructor":${f32([1], 4, 8)},"a\\u0000b":${f32([1], 8, 12)}}`;
    const r = decodeSafetensors(safetensors(header, 12), 'names');
    assert.deepEqual([...r.tensors.keys()].sort(), ['__proto__', 'a\u0000b', 'constructor']);
    assert.equal(Object.getPrototypeOf({}), Object.prototype);
    for (const [header, pattern] of [
      [`{"a":{"dtype":"F32","shape":[NaN],"data_offsets":[0,4]}}`, /invalid JSON/],
      [`{"a":{"dtype":"F32","shape":[1e400],"data_offsets":[0,4]}}`, /invalid dimension/],
      [`{"a":${f32([1], -4, 0)}}`, /data_offsets must be two non-negative integers/],
      [`{"a":${f32([1], 0.5, 4.5)}}`, /data_offsets must be two non-negative integers/],
    ] as const)
      assert.throws(() => decodeSafetensors(safetensors(header, 4), 'bad'), pattern);
  });

  it('a symlink loop is a clean error naming the path', () => {
    symlinkSync(join(dir, 'b'), join(dir, 'a'));
    symlinkSync(join(dir, 'a'), join(dir, 'b'));
    assert.throws(() => readSafetensors(join(dir, 'a')), /readSafetensors: cannot read .*a: ELOOP/);
  });

  it("the serve repository's serving.json as a FIFO or a link to /dev/zero is a clean error, not a hang", async () => {
    for (const kind of ['fifo', 'zero', 'big']) {
      const modelDir = join(dir, `model-${kind}`);
      mkdirSync(modelDir);
      const path = join(modelDir, 'serving.json');
      if (kind === 'fifo') execFileSync('mkfifo', [path]);
      else if (kind === 'zero') symlinkSync('/dev/zero', path);
      else writeFileSync(path, `{"labels": {}, "x": "${'a'.repeat(2 ** 20)}"}`);
      const r = await runIsolated(
        `const { readModelConfig } = await import(SRC + '/serve/repository/model-config.ts');
         readModelConfig(${JSON.stringify(modelDir)});`,
        { timeoutMs: 30_000, maxMiB: 700 },
      );
      assertCleanError(
        r,
        /serving\.json: .*(a FIFO \(named pipe\)|a character device), not a regular file|over the limit of 1048576/,
      );
    }
  });

  it('tokenizer vocabularies: ids must be 0 .. size-1, each once', () => {
    const merges = '#version: 0.2\n';
    for (const [vocab, pattern] of [
      [
        { a: 0, b: 4294967294 },
        /id of "b" must be an integer in \[0, 2\) \(one per token\), got 4294967294/,
      ],
      [{ a: 0, b: 1e15 }, /id of "b" must be an integer in \[0, 2\)/],
      [{ a: 0, b: 0 }, /vocabulary id 0 is given to both "a" and "b"/],
      [{ a: 0, b: -1 }, /got -1/],
      [{ a: 0, b: 0.5 }, /got 0\.5/],
    ] as const)
      assert.throws(() => new BytePairTokenizer(vocab, merges), pattern);
    const vocabPath = join(dir, 'vocab.json');
    const mergesPath = join(dir, 'merges.txt');
    writeFileSync(vocabPath, '{"__proto__": 1, "a": 0}');
    writeFileSync(mergesPath, merges);
    const t = BytePairTokenizer.fromFiles(vocabPath, mergesPath);
    assert.equal(t.vocabularySize, 2);
    assert.equal(t.vocabulary.get('__proto__'), 1);
    writeFileSync(vocabPath, '{"a": 0, "b": 7}');
    assert.throws(() => BytePairTokenizer.fromFiles(vocabPath, mergesPath), /got 7/);
  });
});
