import { getRng, Rng } from '../../random/rng.js';
import { type BatchOptions, batchIterable, type PadOptions } from './batch.js';
import { fileCache, memoryCache } from './cache.js';
import { type CsvOptions, readCsv } from './csv.js';
import { tensorSlices } from './from-tensor-slices.js';
import { type ImageFolderOptions, listImageFolder, readImageFolder } from './image-folder.js';
import { parallelMapIterable, type WorkerFn } from './parallel-map.js';
import {
  readShards,
  type SaveShardsOptions,
  type ShardsOptions,
  type ShardsWritten,
  writeShards,
} from './shards.js';
import { readTextLines, type TextLinesOptions } from './text-lines.js';
import {
  filterIterable,
  mapIterable,
  prefetchIterable,
  repeatIterable,
  shardIterable,
  shuffleIterable,
  skipIterable,
  takeIterable,
  zipIterable,
} from './transforms.js';

export interface MapOptions {
  /**
   * Run `fn` on this many worker threads (-1: one per core). The function must then be
   * `{module, export}` or self-contained (no captured variables); tensors reach it as plain
   * {data, shape, dtype} records. Order is kept.
   */
  numParallelCalls?: number;
}

/**
 * A stream of elements, read lazily and re-iterable: each `for await` pass (each epoch) starts a
 * fresh pass over the source. Transformations return new datasets; nothing runs until iterated,
 * and each stage pulls only what it needs, so files larger than memory stream through.
 * `Dataset.fromTensorSlices({x, y}).shuffle(1000, 1).batch(32)` is what `model.fit` accepts.
 */
export class Dataset<T = unknown> implements AsyncIterable<T> {
  /**
   * @param source starts one pass over the elements
   * @param size the number of elements when known without reading them (null if not)
   */
  constructor(
    private readonly source: () => AsyncIterable<T>,
    readonly size: number | null = null,
  ) {}

  /**
   * Iterates the elements (`for await (const x of dataset)`); each iteration starts from the source
   * again.
   */
  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.source()[Symbol.asyncIterator]();
  }

  /** A dataset of one element: `value` itself. */
  static fromTensors<V>(value: V): Dataset<V> {
    return new Dataset(async function* () {
      yield value;
    }, 1);
  }

  /**
   * One element per row of the first axis of every leaf: `fromTensorSlices({x: [n, 28, 28], y: [n]})`
   * yields {x: [28, 28], y: []} n times. Leaves may be tensors, typed arrays, nested number arrays
   * or string arrays; every leaf needs the same first dimension.
   */
  static fromTensorSlices(value: unknown): Dataset {
    const { count, iterate } = tensorSlices(value);
    return new Dataset(iterate, count);
  }

  /** Elements from a generator function (sync or async), called once per pass, or from an array. */
  static fromGenerator<V>(gen: (() => Iterable<V> | AsyncIterable<V>) | readonly V[]): Dataset<V> {
    if (Array.isArray(gen)) {
      const arr = gen as readonly V[];
      return new Dataset(async function* () {
        yield* arr;
      }, arr.length);
    }
    if (typeof gen !== 'function') {
      throw new TypeError('Dataset.fromGenerator: expected a generator function or an array');
    }
    return new Dataset(async function* () {
      yield* (gen as () => Iterable<V> | AsyncIterable<V>)();
    });
  }

  /** Elements from an async iterable that can be iterated once (a stream, a socket): one pass only. */
  static fromAsyncIterable<V>(iterable: AsyncIterable<V>): Dataset<V> {
    let used = false;
    return new Dataset(() => {
      if (used)
        throw new Error(
          'Dataset.fromAsyncIterable: the source can be read once; cache() it to iterate again',
        );
      used = true;
      return iterable;
    });
  }

  /** Rows of a CSV file, streamed (see CsvOptions: header, column types, label column, bad rows). */
  static csv(path: string, options: CsvOptions = {}): Dataset {
    return new Dataset(() => readCsv(path, options));
  }

  /**
   * Images under dir/<class>/*.{png,jpg,jpeg}, as {x: float32 [h, w, c] in 0..255, y: label}; labels
   * are indices into `classNames`, the sorted sub-folder names (Keras's image_dataset_from_directory).
   */
  static imageFolder(
    dir: string,
    options: ImageFolderOptions = {},
  ): Dataset & { classNames: string[] } {
    const { classNames, files } = listImageFolder(dir);
    const ds = new Dataset(() => readImageFolder(files, classNames.length, options), files.length);
    return Object.assign(ds, { classNames });
  }

  /**
   * The lines of a text file, streamed; a line longer than `maxLineLength` characters (default
   * 2**24) is an error. `Dataset.textLines('corpus.txt', {skipEmpty: true})`
   */
  static textLines(path: string, options: TextLinesOptions = {}): Dataset<string> {
    return new Dataset(() => readTextLines(path, options));
  }

  /**
   * The elements stored by `saveShards` in the files matching `pattern` (a directory, or a path
   * whose file name holds * or ?: 'data/train-*.keel'), streamed one file at a time. With
   * `numShards`/`index` each reader (rank) takes its own files: `Dataset.fromShards(dir,
   * {numShards: strategy.numReplicas, index: strategy.replicaIndex, shuffle: true, seed: 1})`.
   * `shuffle` permutes the files and the records within each file every pass. Throws with the
   * pattern when no file matches.
   */
  static fromShards(pattern: string, options: ShardsOptions = {}): Dataset {
    const { iterate, size } = readShards(pattern, options);
    return new Dataset(iterate, size);
  }

  /** Tuples of the elements of several datasets, until the shortest ends. */
  static zip<A extends readonly Dataset<unknown>[]>(
    datasets: A,
  ): Dataset<{ [K in keyof A]: A[K] extends Dataset<infer E> ? E : never }> {
    const sizes = datasets.map((d) => d.size);
    const size = sizes.every((s) => s !== null) ? Math.min(...(sizes as number[])) : null;
    return new Dataset(() => zipIterable(datasets) as never, size);
  }

  /** Applies `fn` to every element (in order), optionally on worker threads (see MapOptions). */
  map<U>(fn: (x: T, index: number) => U | Promise<U>, options?: MapOptions): Dataset<U>;
  /** Applies a worker function ({module, export}) on worker threads. */
  map<U = unknown>(fn: WorkerFn, options: MapOptions): Dataset<U>;
  map<U>(
    fn: ((x: T, index: number) => U | Promise<U>) | WorkerFn,
    options: MapOptions = {},
  ): Dataset<U> {
    const n = options.numParallelCalls ?? 0;
    if (n !== 0 && n !== 1) {
      if (!(Number.isInteger(n) && (n > 1 || n === -1))) {
        throw new RangeError(
          `Dataset.map: numParallelCalls must be an integer >= 1 or -1, got ${n}`,
        );
      }
      return new Dataset(
        () => parallelMapIterable(this, fn as WorkerFn, n) as AsyncIterable<U>,
        this.size,
      );
    }
    if (typeof fn !== 'function') {
      throw new TypeError('Dataset.map: {module, export} functions need numParallelCalls > 1');
    }
    return new Dataset(() => mapIterable(this, fn as (x: T, i: number) => U), this.size);
  }

  /** Keeps the elements for which `predicate` is true. */
  filter(predicate: (x: T) => boolean | Promise<boolean>): Dataset<T> {
    return new Dataset(() => filterIterable(this, predicate));
  }

  /**
   * Shuffles through a buffer of `bufferSize` elements (tf.data's algorithm; a buffer as large as
   * the dataset is a full shuffle). The order differs each pass and is reproducible from `seed`
   * (without a seed, one is drawn from the global generator, so `setSeed` fixes it too).
   */
  shuffle(bufferSize: number, seed?: number): Dataset<T> {
    if (!Number.isInteger(bufferSize) || bufferSize < 1) {
      throw new RangeError(
        `Dataset.shuffle: bufferSize must be a positive integer, got ${bufferSize}`,
      );
    }
    const rng = new Rng(seed ?? getRng().nextUint32());
    return new Dataset(() => shuffleIterable(this, bufferSize, rng), this.size);
  }

  /** Stacks `size` consecutive elements into one (see stackElements); the last batch may be smaller. */
  batch(size: number, options: BatchOptions = {}): Dataset {
    checkPositive('batch', 'size', size);
    return new Dataset(
      () => batchIterable(this, size, options, null),
      batchCount(this.size, size, options),
    );
  }

  /** Like batch, padding each leaf to the largest shape in its batch with `paddingValue` (default 0). */
  paddedBatch(size: number, options: PadOptions = {}): Dataset {
    checkPositive('paddedBatch', 'size', size);
    return new Dataset(
      () => batchIterable(this, size, options, { paddingValue: 0, ...options }),
      batchCount(this.size, size, options),
    );
  }

  /** Prepares up to `n` elements ahead of the consumer (overlaps reading with training). */
  prefetch(n = 1): Dataset<T> {
    checkPositive('prefetch', 'n', n);
    return new Dataset(() => prefetchIterable(this, n), this.size);
  }

  /** Keeps the elements of the first complete pass in memory, or in the file `path`, for later passes. */
  cache(path?: string): Dataset<T> {
    const src = () => this.source();
    return new Dataset(path === undefined ? memoryCache(src) : fileCache(src, path), this.size);
  }

  /** Repeats the dataset `count` times (forever without a count). */
  repeat(count?: number): Dataset<T> {
    if (count !== undefined && (!Number.isInteger(count) || count < 0)) {
      throw new RangeError(`Dataset.repeat: count must be an integer >= 0, got ${count}`);
    }
    const size = count === undefined ? null : this.size === null ? null : this.size * count;
    return new Dataset(() => repeatIterable(() => this, count), size);
  }

  /** The first `count` elements. */
  take(count: number): Dataset<T> {
    return new Dataset(
      () => takeIterable(this, count),
      this.size === null ? null : Math.min(this.size, count),
    );
  }

  /** All but the first `count` elements. */
  skip(count: number): Dataset<T> {
    return new Dataset(
      () => skipIterable(this, count),
      this.size === null ? null : Math.max(0, this.size - count),
    );
  }

  /**
   * Every numShards-th element starting at `index` (tf.data's shard): distributed training gives
   * rank r of N `dataset.shard(N, r)`, before shuffling and batching.
   */
  shard(numShards: number, index: number): Dataset<T> {
    if (!Number.isInteger(numShards) || numShards < 1)
      throw new RangeError(`Dataset.shard: numShards must be an integer >= 1, got ${numShards}`);
    if (!Number.isInteger(index) || index < 0 || index >= numShards)
      throw new RangeError(
        `Dataset.shard: index must be an integer in [0, ${numShards}), got ${index}`,
      );
    const size =
      this.size === null ? null : Math.max(0, Math.ceil((this.size - index) / numShards));
    return new Dataset(() => shardIterable(this, numShards, index), size);
  }

  /**
   * Writes the elements into shard files of about `shardBytes` in `dir` (`shard-00000.keel`, ...),
   * each renamed into place when complete; `Dataset.fromShards(dir)` reads them back. Shards are
   * the unit that distributed readers split, so write at least as many as there will be ranks.
   */
  saveShards(dir: string, options: SaveShardsOptions = {}): Promise<ShardsWritten> {
    return writeShards(this, dir, options);
  }

  /** Reads every element into an array (for small datasets and tests). */
  async toArray(): Promise<T[]> {
    const out: T[] = [];
    for await (const x of this) out.push(x);
    return out;
  }
}

function checkPositive(op: string, arg: string, v: number): void {
  if (!Number.isInteger(v) || v < 1)
    throw new RangeError(`Dataset.${op}: ${arg} must be a positive integer, got ${v}`);
}

function batchCount(size: number | null, batch: number, options: BatchOptions): number | null {
  if (size === null) return null;
  return options.dropRemainder ? Math.floor(size / batch) : Math.ceil(size / batch);
}

/** True for a Keel Dataset (also across duplicated module instances). */
export function isDataset(x: unknown): x is Dataset {
  return x instanceof Dataset;
}
