/**
 * Whether dist/ is up to date with what `npm run build` compiles it from, so that the consumer
 * test packs the dist/ already built instead of compiling again (tsc is the slowest part of a pack
 * on a loaded machine). The stamp is a SHA-256 of every file under src/ (the TypeScript and the
 * assets scripts/copy-assets.mjs copies), the two tsconfig files and the TypeScript version; the
 * build writes it to node_modules/.cache/keel/dist-stamp (outside dist/, so never packed).
 *
 *   node scripts/dist-stamp.mjs --write   record the stamp of the sources just built (end of `npm run build`)
 *   node scripts/dist-stamp.mjs           exit 0 when dist/ is fresh, 1 when it must be built
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = join(root, 'node_modules', '.cache', 'keel', 'dist-stamp');

/** The hash of the build's inputs: src/, tsconfig.json, tsconfig.build.json, TypeScript's version. */
export function sourceStamp() {
  const hash = createHash('sha256');
  const files = readdirSync(join(root, 'src'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath ?? e.path, e.name))
    .sort();
  for (const path of [
    ...files,
    join(root, 'tsconfig.json'),
    join(root, 'tsconfig.build.json'),
    join(root, 'node_modules', 'typescript', 'package.json'),
  ]) {
    const content = readFileSync(path);
    hash.update(`${relative(root, path)}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}

/** True when dist/ was built from exactly the current sources (and still has its entry point). */
export function distIsFresh() {
  if (!existsSync(join(root, 'dist', 'index.js')) || !existsSync(stampFile)) return false;
  return readFileSync(stampFile, 'utf8').trim() === sourceStamp();
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--write')) {
    mkdirSync(dirname(stampFile), { recursive: true });
    writeFileSync(stampFile, `${sourceStamp()}\n`);
  } else {
    const fresh = distIsFresh();
    console.log(`dist/ is ${fresh ? 'up to date' : 'stale or missing'}`);
    process.exit(fresh ? 0 : 1);
  }
}
