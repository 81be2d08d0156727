import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Rng } from '../../src/random/rng.js';
import { BytePairTokenizer, bytesToUnicode } from '../../src/text/byte-pair-tokenizer.js';

/** A tiny GPT-2-style vocabulary: the 256 byte characters, a few merges, and <|endoftext|>. */
function files(): { vocab: string; merges: string } {
  const dir = mkdtempSync(join(tmpdir(), 'keel-bpe-'));
  const merges = [
    '#version: 0.2',
    'Ġ t',
    'h e',
    'Ġt he',
    'Ġ a',
    'i n',
    'Ġa n',
    'Ġan d',
    'e r',
    'ä ½',
  ];
  const vocab: Record<string, number> = {};
  for (const c of bytesToUnicode()) vocab[c] = Object.keys(vocab).length;
  for (const m of merges.slice(1)) vocab[m.replace(' ', '')] = Object.keys(vocab).length;
  vocab['<|endoftext|>'] = Object.keys(vocab).length;
  const paths = { vocab: join(dir, 'vocab.json'), merges: join(dir, 'merges.txt') };
  writeFileSync(paths.vocab, JSON.stringify(vocab));
  writeFileSync(paths.merges, `${merges.join('\n')}\n`);
  return paths;
}

describe('BytePairTokenizer', () => {
  const paths = files();
  const tok = BytePairTokenizer.fromFiles(paths.vocab, paths.merges);

  it('has GPT-2 byte map: printable bytes map to themselves, space to Ġ', () => {
    const table = bytesToUnicode();
    assert.equal(table[0x41], 'A');
    assert.equal(table[0x20], 'Ġ');
    assert.equal(table[0x0a], 'Ċ');
    assert.equal(new Set(table).size, 256);
  });

  it('splits with the GPT-2 pre-tokenizer and merges by rank', () => {
    const ids = tok.encode(' the and');
    const v = tok.vocabulary;
    assert.deepEqual(ids, [v.get('Ġthe'), v.get('Ġand')]);
    // "there's": 't' 'he' (merge) 'r' 'e' ... then the contraction "'s" is a piece of its own.
    const pieces = tok.encode("there's").map((i) => tok.decode([i]));
    assert.deepEqual(pieces, ['t', 'he', 'r', 'e', "'", 's']);
    assert.deepEqual(tok.encode('a<|endoftext|>b'), [
      v.get('a'),
      v.get('<|endoftext|>'),
      v.get('b'),
    ]);
    assert.equal(tok.vocabularySize, 256 + 9 + 1);
  });

  it('round-trips arbitrary UTF-8 text, emoji and CJK included (random strings)', () => {
    const pool = [
      ...'abcdefghijklmnopqrstuvwxyz ABCXYZ 0123456789 \n\t  .,;:!?\'"-()[]{}<>/@#$%^&*_+=~`|\\',
      ...'éèüßñçøåÆŒ',
      ...'你好世界中文字符日本語한국어',
      '😀',
      '🐳',
      '👍🏽',
      '🇫🇷',
      '∑',
      '√',
      'ﬁ',
      '\u00a0',
      '\u200b',
      "'s",
      "'ll",
      '<|endoftext|>',
    ];
    const rng = new Rng(42);
    for (let n = 0; n < 300; n++) {
      const len = rng.int(25);
      let s = '';
      for (let i = 0; i < len; i++) s += pool[rng.int(pool.length)];
      const ids = tok.encode(s);
      assert.equal(tok.decode(ids), s, `round trip of ${JSON.stringify(s)}`);
      assert.ok(ids.every((id) => Number.isInteger(id) && id >= 0 && id < tok.vocabularySize));
    }
    assert.equal(tok.decode(tok.encode('你')), '你');
  });

  it('round-trips any string of Unicode code points (fast-check property)', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 40 }),
        (s) => tok.decode(tok.encode(s)) === s,
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it('rejects bad merges, unknown ids and tokens outside the vocabulary', () => {
    assert.throws(
      () => new BytePairTokenizer({ a: 0 }, 'a b c'),
      /merges line 1 must be two tokens/,
    );
    assert.throws(() => tok.decode([999]), /id 999 is not in the vocabulary/);
    const small = new BytePairTokenizer({ a: 0, b: 1 }, '');
    assert.throws(() => small.encode('ac'), /token "c" \(from "ac"\) is not in the vocabulary/);
  });
});
