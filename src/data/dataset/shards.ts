import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { getRng, Rng } from '../../random/rng.js';
import { openRegularFile, readFileSafe, readRange } from '../../utils/safe-file.js';
import { decodeElement, encodeElement } from './codec.js';

/**
 * A shard file: the magic 'KEELSHD1', the record count (uint32 LE), 4 reserved bytes, then the
 * records, each a uint32 LE length and the v8-serialized element (tensors as EncodedTensor).
 */
const MAGIC = Buffer.from('KEELSHD1', 'latin1');
const HEADER_BYTES = 16;
const EXTENSION = '.keel';

export interface SaveShardsOptions {
  /** A file is closed and the next one begun once it holds at least this many bytes (default 64 MiB). */
  shardBytes?: number;
  /** File names are `${prefix}-00000.keel`, `${prefix}-00001.keel`, ... (default 'shard'). */
  prefix?: string;
}

export interface ShardsOptions {
  /**
   * Split the files among this many readers (the ranks of a distributed job); this reader takes
   * files index, index + numShards, ... of the sorted list. Default 1 (every file).
   */
  numShards?: number;
  index?: number;
  /** Each pass visits the files in a new seeded order, and each file's records in a new order. */
  shuffle?: boolean;
  /** The seed of that order (default: drawn from the global generator, so setSeed fixes it). */
  seed?: number;
}

/** What saveShards wrote. */
export interface ShardsWritten {
  files: string[];
  elements: number;
}

/** One open shard file being filled under a temporary name, renamed when complete. */
class ShardWriter {
  readonly tmp: string;
  private readonly fd: number;
  bytes = HEADER_BYTES;
  count = 0;

  constructor(readonly path: string) {
    this.tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
    this.fd = openSync(this.tmp, 'w', 0o644);
    writeAll(this.fd, Buffer.alloc(HEADER_BYTES));
  }

  add(element: unknown): void {
    const body = serialize(encodeElement(element));
    const head = Buffer.alloc(4);
    head.writeUInt32LE(body.length);
    writeAll(this.fd, head);
    writeAll(this.fd, body);
    this.bytes += 4 + body.length;
    this.count++;
  }

  /** Writes the header, syncs and renames the file into place. */
  close(): void {
    const header = Buffer.alloc(HEADER_BYTES);
    MAGIC.copy(header);
    header.writeUInt32LE(this.count, 8);
    writeAll(this.fd, header, 0);
    fsyncSync(this.fd);
    closeSync(this.fd);
    renameSync(this.tmp, this.path);
  }

  abandon(): void {
    closeSync(this.fd);
    rmSync(this.tmp, { force: true });
  }
}

function writeAll(fd: number, buf: Buffer, position?: number): void {
  let done = 0;
  while (done < buf.length) {
    const at = position === undefined ? null : position + done;
    done += writeSync(fd, buf, done, buf.length - done, at);
  }
}

/**
 * Writes the elements of `source` into shard files of about `shardBytes` each in `dir` (created
 * if needed). Each file is written under a temporary name and renamed when complete, so a crash
 * leaves only whole shards. Refuses a directory that already holds shards of the same prefix
 * (a shorter rewrite would leave stale files that readers would pick up).
 */
export async function writeShards(
  source: AsyncIterable<unknown>,
  dir: string,
  options: SaveShardsOptions = {},
): Promise<ShardsWritten> {
  const shardBytes = options.shardBytes ?? 64 << 20;
  if (!(Number.isInteger(shardBytes) && shardBytes > 0))
    throw new RangeError(
      `Dataset.saveShards: shardBytes must be a positive integer, got ${shardBytes}`,
    );
  const prefix = options.prefix ?? 'shard';
  if (!/^[\w.-]+$/.test(prefix))
    throw new RangeError(
      `Dataset.saveShards: prefix must be letters, digits, '_', '.' or '-', got '${prefix}'`,
    );
  mkdirSync(dir, { recursive: true });
  const taken = readdirSync(dir).filter((f) => f.startsWith(`${prefix}-`) && f.endsWith(EXTENSION));
  if (taken.length > 0)
    throw new Error(
      `Dataset.saveShards: ${dir} already holds ${taken.length} '${prefix}-*${EXTENSION}' shard files (${taken[0]}, ...); remove them or choose another directory`,
    );
  const files: string[] = [];
  let elements = 0;
  let writer: ShardWriter | null = null;
  try {
    for await (const x of source) {
      writer ??= new ShardWriter(
        join(dir, `${prefix}-${String(files.length).padStart(5, '0')}${EXTENSION}`),
      );
      writer.add(x);
      elements++;
      if (writer.bytes >= shardBytes) {
        writer.close();
        files.push(writer.path);
        writer = null;
      }
    }
    if (writer) {
      writer.close();
      files.push(writer.path);
      writer = null;
    }
  } finally {
    writer?.abandon();
  }
  return { files, elements };
}

function globRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * The shard files a pattern names, sorted: a directory (its *.keel files) or a path whose file
 * name may hold * and ? ('data/train-*.keel'). Throws with the pattern when nothing matches.
 */
export function listShardFiles(pattern: string): string[] {
  let dir = dirname(pattern);
  let name = basename(pattern);
  if (existsSync(pattern) && statSync(pattern).isDirectory()) {
    dir = pattern;
    name = `*${EXTENSION}`;
  }
  if (/[*?]/.test(dir))
    throw new Error(
      `Dataset.fromShards: wildcards are allowed in the file name only, not in the directory of '${pattern}'`,
    );
  const re = globRegExp(name);
  const files =
    existsSync(dir) && statSync(dir).isDirectory()
      ? readdirSync(dir)
          .filter((f) => re.test(f) && !f.startsWith('.'))
          .sort()
          .map((f) => join(dir, f))
      : [];
  if (files.length === 0)
    throw new Error(
      `Dataset.fromShards: no shard files match '${pattern}'${existsSync(dir) ? '' : ` (directory ${dir} does not exist)`}`,
    );
  return files;
}

/** The record count of a shard file, checking its header. */
function shardCount(path: string): number {
  const { fd, size } = openRegularFile(path, 'Dataset.fromShards');
  try {
    const header = Buffer.from(readRange(fd, 0, Math.min(size, HEADER_BYTES), path));
    if (size < HEADER_BYTES || !header.subarray(0, 8).equals(MAGIC))
      throw new Error(
        `Dataset.fromShards: ${path} is not a Keel shard file (written by dataset.saveShards)`,
      );
    return header.readUInt32LE(8);
  } finally {
    closeSync(fd);
  }
}

/** The elements of one shard file, in file order or permuted by `rng`. */
function* readShard(path: string, expected: number, rng: Rng | null): Generator<unknown> {
  const bytes = readFileSafe(path, { what: 'Dataset.fromShards' });
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offsets: number[] = [];
  let pos = HEADER_BYTES;
  while (pos < buf.length) {
    if (pos + 4 > buf.length) break;
    offsets.push(pos);
    pos += 4 + buf.readUInt32LE(pos);
  }
  if (pos !== buf.length || offsets.length !== expected)
    throw new Error(
      `Dataset.fromShards: ${path} is truncated or damaged (${offsets.length} whole records of ${expected})`,
    );
  const order = rng ? rng.permutation(offsets.length) : null;
  for (let i = 0; i < offsets.length; i++) {
    const at = offsets[order ? order[i]! : i]!;
    const len = buf.readUInt32LE(at);
    yield decodeElement(deserialize(buf.subarray(at + 4, at + 4 + len)));
  }
}

/**
 * Reads shard files: this reader's share of the files matching `pattern`, streamed one file at
 * a time (a file is read whole, so memory holds one shard). Returns the pass factory and the
 * element count of this reader's files.
 */
export function readShards(
  pattern: string,
  options: ShardsOptions = {},
): { iterate: () => AsyncGenerator<unknown>; size: number; files: string[] } {
  const numShards = options.numShards ?? 1;
  const index = options.index ?? 0;
  if (!(Number.isInteger(numShards) && numShards >= 1))
    throw new RangeError(`Dataset.fromShards: numShards must be an integer >= 1, got ${numShards}`);
  if (!(Number.isInteger(index) && index >= 0 && index < numShards))
    throw new RangeError(
      `Dataset.fromShards: index must be an integer in [0, ${numShards}), got ${index}`,
    );
  const all = listShardFiles(pattern);
  if (all.length < numShards)
    throw new Error(
      `Dataset.fromShards: ${all.length} files match '${pattern}', too few to split among ${numShards} readers; write smaller shards (saveShards shardBytes) so that every reader gets at least one`,
    );
  const files = all.filter((_, i) => i % numShards === index);
  const counts = files.map(shardCount);
  const rng = options.shuffle ? new Rng(options.seed ?? getRng().nextUint32()) : null;
  const iterate = async function* (): AsyncGenerator<unknown> {
    const order = rng ? rng.permutation(files.length) : files.map((_, i) => i);
    for (const i of order) yield* readShard(files[i]!, counts[i]!, rng);
  };
  return { iterate, size: counts.reduce((a, b) => a + b, 0), files };
}
