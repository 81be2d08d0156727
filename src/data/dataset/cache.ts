import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { open } from 'node:fs/promises';
import { deserialize, serialize } from 'node:v8';
import { decodeElement, encodeElement } from './codec.js';

/**
 * Caches elements in memory: the first complete pass over the source fills the cache; later
 * passes replay it without touching the source. A pass stopped early (take) caches nothing.
 */
export function memoryCache<T>(source: () => AsyncIterable<T>): () => AsyncGenerator<T> {
  let cached: T[] | null = null;
  return async function* () {
    if (cached) {
      yield* cached;
      return;
    }
    const fill: T[] = [];
    for await (const x of source()) {
      fill.push(x);
      yield x;
    }
    cached = fill;
  };
}

/**
 * Caches elements in a file (length-prefixed v8-serialized records): the first complete pass
 * writes `path` atomically (temp file, fsync, rename); later passes, and later runs, stream it
 * back. Delete the file to refresh the cache.
 */
export function fileCache<T>(
  source: () => AsyncIterable<T>,
  path: string,
): () => AsyncGenerator<T> {
  return async function* () {
    if (existsSync(path)) {
      yield* readCache(path) as AsyncGenerator<T>;
      return;
    }
    const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
    const fd = openSync(tmp, 'w');
    let complete = false;
    try {
      for await (const x of source()) {
        const body = serialize(encodeElement(x));
        const head = Buffer.alloc(4);
        head.writeUInt32LE(body.length);
        writeSync(fd, head);
        writeSync(fd, body);
        yield x;
      }
      complete = true;
    } finally {
      fsyncSync(fd);
      closeSync(fd);
      if (complete) renameSync(tmp, path);
      else unlinkSync(tmp);
    }
  };
}

async function* readCache(path: string): AsyncGenerator<unknown> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    let pos = 0;
    for (;;) {
      const { bytesRead } = await fh.read(head, 0, 4, pos);
      if (bytesRead === 0) return;
      if (bytesRead < 4)
        throw new Error(`Dataset.cache: ${path} is truncated at byte ${pos}; delete it to rebuild`);
      const len = head.readUInt32LE(0);
      const body = Buffer.alloc(len);
      const r = await fh.read(body, 0, len, pos + 4);
      if (r.bytesRead < len)
        throw new Error(`Dataset.cache: ${path} is truncated at byte ${pos}; delete it to rebuild`);
      pos += 4 + len;
      yield decodeElement(deserialize(body));
    }
  } finally {
    await fh.close();
  }
}
