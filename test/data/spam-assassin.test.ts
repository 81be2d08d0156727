import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  emailBody,
  spamAssassin,
  spamAssassinEncoded,
  spamTokens,
} from '../../src/data/datasets/spam-assassin.js';

describe('datasets.spamAssassin', () => {
  it('splits the 6,046 emails canonically (4,837 train / 1,209 test)', () => {
    const d = spamAssassin();
    assert.equal(d.xTrain.length, 4837);
    assert.equal(d.xTest.length, 1209);
    assert.deepEqual(d.yTrain.shape, [4837]);
    assert.deepEqual(d.yTest.shape, [1209]);
    const spam = (y: { data: ArrayLike<number> }) => Array.from(y.data).reduce((a, b) => a + b, 0);
    // 1,896 spam (spam-1: 500, spam-2: 1,396) and 4,150 ham emails in all.
    assert.equal(spam(d.yTrain), 1517);
    assert.equal(spam(d.yTest), 379);
    // Sorted by group then id: test emails are the 5th, 10th, ... of that order.
    assert.equal(d.testEmails[0]!.group, 'easy-ham-1');
    assert.equal(d.testEmails[0]!.id, '00005');
    assert.equal(d.trainEmails.at(-1)!.group, 'spam-2');
    assert.ok(d.trainEmails.every((e) => e.label === (e.group.startsWith('spam') ? 1 : 0)));
    assert.ok(!d.xTrain[0]!.includes('Return-Path:'), 'bodies only, headers dropped');
  });

  it('keeps the body after the first blank line and tokenizes canonically', () => {
    assert.equal(emailBody('Subject: hi\nFrom: a\n\nHello\n\nthere'), 'Hello\n\nthere');
    assert.equal(emailBody('Subject: hi\r\n\r\nBody'), 'Body');
    assert.equal(emailBody('no blank line'), '');
    assert.deepEqual(spamTokens("Don't BUY <b>now</b>: 100% free!"), [
      "don't",
      'buy',
      'b',
      'now',
      'b',
      '100',
      'free',
    ]);
  });

  it('encodes canonically: 9,998 frequent tokens as ids 2.., 1 = OOV, pre-padded to 200', () => {
    const e = spamAssassinEncoded();
    assert.deepEqual(e.xTrain.shape, [4837, 200]);
    assert.deepEqual(e.xTest.shape, [1209, 200]);
    assert.equal(e.xTrain.dtype, 'int32');
    assert.equal(e.vocabulary.length, 10000);
    assert.deepEqual(e.vocabulary.slice(0, 3), ['', '[UNK]', 'the']);
    assert.ok(e.xTrain.data.every((v) => v >= 0 && v < 10000));
    // A short email is padded at the start: its row ends with ids, zeros come first.
    const d = spamAssassin();
    const j = d.xTrain.findIndex((b) => spamTokens(b).length > 0 && spamTokens(b).length < 50);
    const n = spamTokens(d.xTrain[j]!).length;
    const row = Array.from(e.xTrain.data.slice(j * 200, (j + 1) * 200));
    assert.ok(row.slice(0, 200 - n).every((v) => v === 0));
    assert.ok(row.slice(200 - n).every((v) => v > 0));
    assert.throws(() => spamAssassinEncoded({ vocabSize: 2 }), /vocabSize must be an integer >= 3/);
  });
});
