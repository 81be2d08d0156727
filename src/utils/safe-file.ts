import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  openSync,
  type ReadStream,
  readSync,
  realpathSync,
} from 'node:fs';
import { isAbsolute, join, normalize, relative, sep } from 'node:path';

/** Options of the guarded file readers. */
export interface SafeReadOptions {
  /** Largest file accepted, in bytes (default 2**40: the readers stream, so no 2 GiB ceiling). */
  maxBytes?: number;
  /** Who reads, for error messages (e.g. 'loadModel'). */
  what?: string;
}

/** Bytes asked of one `readSync` call: below the 2 GiB limit of a single read. */
const CHUNK = 1 << 28;

/**
 * Opens `path` read-only and checks on the opened descriptor that it is a regular file, so a
 * FIFO, a device (`/dev/zero`), a directory or a socket gets a clear error instead of a hang or
 * an endless read. O_NONBLOCK makes opening a FIFO return at once; it changes nothing for a
 * regular file. Returns the descriptor and the file's size; the caller closes it.
 * `const { fd, size } = openRegularFile('model.keel', 'loadModel')`
 */
export function openRegularFile(path: string, what = 'read'): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    throw new Error(`${what}: cannot read ${path}: ${(e as Error).message}`);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      throw new Error(`${what}: ${path} is ${fileKind(st)}, not a regular file`);
    }
    return { fd, size: st.size };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

function fileKind(st: import('node:fs').Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'a special file';
}

/**
 * Reads `length` bytes at `position` of an open file into a new array, in chunks below the
 * 2 GiB limit of one read; a file that ends early is an error naming `path`.
 */
export function readRange(fd: number, position: number, length: number, path: string): Uint8Array {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const got = readSync(fd, out, done, Math.min(CHUNK, length - done), position + done);
    if (got === 0) {
      throw new Error(
        `${path}: file ended at byte ${position + done}, expected ${position + length}`,
      );
    }
    done += got;
  }
  return out;
}

/**
 * Reads a whole regular file (see `openRegularFile`), refusing one larger than `maxBytes`, in
 * chunks (files of 2 GiB and more read fine).
 * `readFileSafe('model.json', { what: 'loadTfjsModel', maxBytes: 1e8 })`
 */
export function readFileSafe(path: string, options: SafeReadOptions = {}): Uint8Array {
  const what = options.what ?? 'read';
  const maxBytes = options.maxBytes ?? 2 ** 40;
  const { fd, size } = openRegularFile(path, what);
  try {
    if (size > maxBytes) {
      throw new Error(`${what}: ${path} is ${size} bytes, over the limit of ${maxBytes}`);
    }
    return readRange(fd, 0, size, path);
  } finally {
    closeSync(fd);
  }
}

/** Reads a regular file as UTF-8 text (see `readFileSafe`; default limit 256 MiB). */
export function readTextFileSafe(path: string, options: SafeReadOptions = {}): string {
  const bytes = readFileSafe(path, { maxBytes: 2 ** 28, ...options });
  return new TextDecoder('utf-8').decode(bytes);
}

/**
 * A read stream over a regular file, opened and checked synchronously (see `openRegularFile`),
 * so a FIFO or a directory is refused before any stream exists and no open error is dropped.
 */
export function regularFileStream(
  path: string,
  what: string,
  encoding?: BufferEncoding,
): ReadStream {
  const { fd } = openRegularFile(path, what);
  return createReadStream('', { fd, autoClose: true, ...(encoding ? { encoding } : {}) });
}

/**
 * The real path of `relativePath` under `dir`, refused unless it stays inside the real `dir`
 * (no absolute path, no '..' out, no symlink pointing out). Errors name `what`.
 * `resolveInside('/models/m', 'group1-shard1of1.bin', 'loadTfjsModel')`
 */
export function resolveInside(dir: string, relativePath: unknown, what: string): string {
  if (
    typeof relativePath !== 'string' ||
    relativePath === '' ||
    isAbsolute(relativePath) ||
    relativePath.includes('\0') ||
    normalize(relativePath).split(sep).includes('..')
  ) {
    throw new Error(
      `${what}: path ${JSON.stringify(relativePath)} must be relative and stay in the model's directory ${dir}`,
    );
  }
  let root: string;
  let real: string;
  try {
    root = realpathSync(dir);
    real = realpathSync(join(root, relativePath));
  } catch (e) {
    throw new Error(`${what}: cannot resolve '${relativePath}' in ${dir}: ${(e as Error).message}`);
  }
  const rel = relative(root, real);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || isAbsolute(rel)) {
    throw new Error(
      `${what}: path '${relativePath}' resolves to ${real}, outside the model folder ${root}`,
    );
  }
  return real;
}
