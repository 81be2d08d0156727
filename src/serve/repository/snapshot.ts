/**
 * Copies a version folder into the server's private snapshot area before loading it, so a file
 * replaced while it is being served or copied in is served old or new, never half: each file is
 * read whole and kept only if its size and mtime did not change during the read, and workers
 * load the snapshot, which nothing else writes. Snapshots are named by content hash.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../../io/atomic-write.js';
import { readFileSafe } from '../../utils/safe-file.js';
import { MAX_VERSION_FILES } from './model-files.js';

/** Size and mtime of every file of a folder: changes when anything in it is replaced. */
export function fingerprint(dir: string): string {
  return readdirSync(dir)
    .sort()
    .map((n) => {
      const s = statSync(join(dir, n));
      return s.isFile() ? `${n}:${s.size}:${s.mtimeMs}` : '';
    })
    .join('|');
}

/**
 * The snapshot folder of `dir` under `root`, or null when a file changed while it was read
 * (a copy still in progress: the next poll tries again).
 */
export function snapshotFolder(dir: string, root: string, label: string): string | null {
  const names = readdirSync(dir)
    .filter((n) => statSync(join(dir, n)).isFile())
    .sort();
  if (names.length > MAX_VERSION_FILES) {
    throw new Error(`${dir}: ${names.length} files, more than the ${MAX_VERSION_FILES} allowed`);
  }
  const hash = createHash('sha256');
  const files: [string, Buffer][] = [];
  for (const n of names) {
    const path = join(dir, n);
    const before = statSync(path);
    // Replaced by a FIFO or a device since the listing: refused on the descriptor, not hung on.
    const bytes = Buffer.from(readFileSafe(path, { what: 'model repository' }));
    const after = statSync(path);
    if (
      before.size !== after.size ||
      before.mtimeMs !== after.mtimeMs ||
      bytes.length !== after.size
    ) {
      return null;
    }
    hash.update(n).update('\0').update(bytes);
    files.push([n, bytes]);
  }
  const target = join(root, `${label}-${hash.digest('hex').slice(0, 16)}`);
  if (existsDir(target)) return target;
  const temp = `${target}.tmp-${process.pid}`;
  rmSync(temp, { recursive: true, force: true });
  mkdirSync(temp, { recursive: true });
  for (const [n, bytes] of files) writeFileAtomic(join(temp, n), bytes);
  renameSync(temp, target);
  return target;
}

function existsDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
