/**
 * The element-wise and structural transformations behind Dataset's methods, each an async
 * generator over a source: pulling one element pulls at most what it needs from the source, so
 * memory stays bounded (backpressure) unless a transform buffers by design (shuffle, prefetch).
 */
import type { Rng } from '../../random/rng.js';

export async function* mapIterable<T, U>(
  source: AsyncIterable<T>,
  fn: (x: T, index: number) => U | Promise<U>,
): AsyncGenerator<U> {
  let i = 0;
  for await (const x of source) yield await fn(x, i++);
}

export async function* filterIterable<T>(
  source: AsyncIterable<T>,
  predicate: (x: T) => boolean | Promise<boolean>,
): AsyncGenerator<T> {
  for await (const x of source) if (await predicate(x)) yield x;
}

export async function* takeIterable<T>(source: AsyncIterable<T>, count: number): AsyncGenerator<T> {
  if (count <= 0) return;
  let i = 0;
  for await (const x of source) {
    yield x;
    if (++i >= count) return;
  }
}

export async function* skipIterable<T>(source: AsyncIterable<T>, count: number): AsyncGenerator<T> {
  let i = 0;
  for await (const x of source) if (i++ >= count) yield x;
}

/** Repeats a re-iterable source `count` times (forever when undefined). */
export async function* repeatIterable<T>(
  source: () => AsyncIterable<T>,
  count: number | undefined,
): AsyncGenerator<T> {
  for (let r = 0; count === undefined || r < count; r++) {
    let any = false;
    for await (const x of source()) {
      any = true;
      yield x;
    }
    if (!any) return; // an empty source repeated forever would spin
  }
}

/**
 * tf.data's buffered shuffle: fills a buffer of `bufferSize` elements, then repeatedly emits a
 * random one and replaces it with the next element. A buffer at least the dataset's size gives a
 * uniform shuffle.
 */
export async function* shuffleIterable<T>(
  source: AsyncIterable<T>,
  bufferSize: number,
  rng: Rng,
): AsyncGenerator<T> {
  const buf: T[] = [];
  for await (const x of source) {
    if (buf.length < bufferSize) {
      buf.push(x);
      continue;
    }
    const j = rng.int(buf.length);
    const out = buf[j]!;
    buf[j] = x;
    yield out;
  }
  while (buf.length > 0) {
    const j = rng.int(buf.length);
    const out = buf[j]!;
    buf[j] = buf[buf.length - 1]!;
    buf.pop();
    yield out;
  }
}

/** Keeps up to `n` elements requested ahead of the consumer, overlapping production and use. */
export async function* prefetchIterable<T>(source: AsyncIterable<T>, n: number): AsyncGenerator<T> {
  const it = source[Symbol.asyncIterator]();
  const queue: Promise<IteratorResult<T>>[] = [];
  try {
    for (;;) {
      while (queue.length < n + 1) queue.push(it.next());
      const r = await queue.shift()!;
      if (r.done) return;
      yield r.value;
    }
  } finally {
    await it.return?.();
  }
}

/** Pairs elements of several sources into tuples; stops at the shortest. */
export async function* zipIterable(
  sources: readonly AsyncIterable<unknown>[],
): AsyncGenerator<unknown[]> {
  const its = sources.map((s) => s[Symbol.asyncIterator]());
  try {
    for (;;) {
      const rs = await Promise.all(its.map((it) => it.next()));
      if (rs.some((r) => r.done)) return;
      yield rs.map((r) => r.value);
    }
  } finally {
    await Promise.all(its.map((it) => it.return?.()));
  }
}

/** Elements index, index + n, index + 2n, ... of the source. */
export async function* shardIterable<T>(
  source: AsyncIterable<T>,
  numShards: number,
  index: number,
): AsyncGenerator<T> {
  let i = 0;
  for await (const x of source) {
    if (i % numShards === index) yield x;
    i++;
  }
}
