/**
 * Writes the seed LSTM program's data, Keel's canonical SpamAssassin train split encoded the
 * canonical way (`datasets.spamAssassinEncoded({vocabSize: 10000, maxlen: 200})`, as in
 * examples/spam-lstm.ts), to bench/.cache as raw little-endian files the peers read:
 * spam-train-ids.i32 ([4837, 200] int32 token ids, 0 = padding) and spam-train-labels.u8 ([4837], 1 = spam).
 * `node --import tsx bench/suites/lstm-epoch/export-spam.ts`
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasets } from '../../../src/index.js';
import { cacheDir } from '../common/report.mjs';

const { xTrain, yTrain } = datasets.spamAssassinEncoded({ vocabSize: 10000, maxlen: 200 });
if (xTrain.dtype !== 'int32' || xTrain.shape[1] !== 200)
  throw new Error(
    `export-spam: expected int32 [n, 200] ids, got ${xTrain.dtype} [${xTrain.shape}]`,
  );
mkdirSync(cacheDir, { recursive: true });
writeFileSync(join(cacheDir, 'spam-train-ids.i32'), xTrain.data as Int32Array);
writeFileSync(join(cacheDir, 'spam-train-labels.u8'), Uint8Array.from(yTrain.data));
console.log(`bench: wrote ${xTrain.shape[0]} encoded SpamAssassin train emails to ${cacheDir}`);
