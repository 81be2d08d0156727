import { Tensor } from '../../tensor/tensor.js';
import { isJsonObject, parseJsonGuarded } from '../../utils/json-guard.js';
import { checkedSize } from '../safetensors-read.js';

/**
 * Sparse storage of mostly-zero float32 weights in a Keel file. A weight stored sparse is two
 * tensors, `<key>@bitmap` (int8, one bit per element, LSB first: 1 = nonzero) and `<key>@values`
 * (float32, the nonzeros in order), and its dense shape in metadata 'sparse' ({key: shape}).
 * At 90% zeros this takes 1/8 + 0.4 bytes per weight instead of 4. A zero is +0 exactly
 * (bits 0), so -0 is stored as a value and the round trip is bit for bit.
 */
export const SPARSE_METADATA = 'sparse';
const BITMAP = '@bitmap';
const VALUES = '@values';
/** Store sparse only from this fraction of zeros, and only tensors of at least MIN_SIZE. */
const MIN_ZEROS = 0.5;
// Small tensors (biases, norms) stay dense: a freshly built model's zero biases would otherwise
// turn every file sparse, and the saving there is a few hundred bytes.
const MIN_SIZE = 1024;

/** Replaces the mostly-zero float32 entries by their bitmap and values; `shapes` goes in metadata. */
export function sparsifyEntries(entries: readonly [string, Tensor][]): {
  entries: [string, Tensor][];
  shapes: Record<string, number[]>;
} {
  const names = new Set(entries.map(([k]) => k));
  const out: [string, Tensor][] = [];
  const shapes: Record<string, number[]> = {};
  for (const [key, t] of entries) {
    const free = !names.has(key + BITMAP) && !names.has(key + VALUES);
    const bits = t.dtype === 'float32' && t.size >= MIN_SIZE && free ? zeroBits(t) : null;
    if (!bits || bits.zeros < MIN_ZEROS * t.size) {
      out.push([key, t]);
      continue;
    }
    const n = t.size;
    const bitmap = new Int8Array(Math.ceil(n / 8));
    const values = new Float32Array(n - bits.zeros);
    const data = t.data as Float32Array;
    for (let i = 0, k = 0; i < n; i++) {
      if (bits.words[i] === 0) continue;
      bitmap[i >> 3]! |= 1 << (i & 7);
      values[k++] = data[i]!;
    }
    out.push([key + BITMAP, new Tensor(bitmap, [bitmap.length], 'int8')]);
    out.push([key + VALUES, new Tensor(values, [values.length], 'float32')]);
    shapes[key] = [...t.shape];
  }
  return { entries: out, shapes };
}

function zeroBits(t: Tensor): { words: Uint32Array; zeros: number } {
  const d = t.data as Float32Array;
  const words = new Uint32Array(d.buffer, d.byteOffset, d.length);
  let zeros = 0;
  for (let i = 0; i < words.length; i++) if (words[i] === 0) zeros++;
  return { words, zeros };
}

/**
 * The file's tensors with every sparse weight expanded to its dense tensor (as saved, bit for
 * bit). Files without metadata 'sparse' come back unchanged. The metadata is hostile input: each
 * shape, the bitmap's dtype and length, its unused bits and its count of ones against the values
 * are checked before the dense tensor is allocated; errors name `source` and the weight.
 */
export function expandSparse(
  metadata: Record<string, string>,
  tensors: ReadonlyMap<string, Tensor>,
  source: string,
): Map<string, Tensor> {
  const out = new Map(tensors);
  const text = metadata[SPARSE_METADATA];
  if (text === undefined) return out;
  const spec = parseJsonGuarded(text, `${source} metadata '${SPARSE_METADATA}'`);
  if (!isJsonObject(spec)) {
    throw new Error(`${source}: metadata '${SPARSE_METADATA}' must be an object {weight: shape}`);
  }
  for (const [key, shape] of Object.entries(spec)) {
    const what = `${source}: sparse weight '${key}'`;
    const bitmap = tensors.get(key + BITMAP);
    const values = tensors.get(key + VALUES);
    if (!bitmap || !values)
      throw new Error(`${what}: its ${BITMAP} or ${VALUES} tensor is missing`);
    if (tensors.has(key)) throw new Error(`${what}: the file also holds it dense`);
    if (bitmap.dtype !== 'int8' || bitmap.rank !== 1) {
      throw new Error(
        `${what}: ${BITMAP} must be an int8 vector, got ${bitmap.dtype} [${bitmap.shape}]`,
      );
    }
    if (values.dtype !== 'float32' || values.rank !== 1) {
      throw new Error(
        `${what}: ${VALUES} must be a float32 vector, got ${values.dtype} [${values.shape}]`,
      );
    }
    const n = checkedSize(shape, 8 * bitmap.size, what, 'its bitmap');
    if (bitmap.size !== Math.ceil(n / 8)) {
      throw new Error(
        `${what}: shape [${shape}] needs a bitmap of ${Math.ceil(n / 8)} bytes, got ${bitmap.size}`,
      );
    }
    const bits = new Uint8Array(bitmap.data.buffer, bitmap.data.byteOffset, bitmap.size);
    let ones = 0;
    for (const b of bits) ones += popcount(b);
    if (n % 8 !== 0 && bits[bits.length - 1]! >> (n % 8) !== 0) {
      throw new Error(`${what}: the bitmap has bits set past element ${n}`);
    }
    if (ones !== values.size) {
      throw new Error(`${what}: the bitmap marks ${ones} nonzeros, ${VALUES} holds ${values.size}`);
    }
    const dense = new Float32Array(n);
    const v = values.data as Float32Array;
    for (let i = 0, k = 0; i < n; i++) if ((bits[i >> 3]! >> (i & 7)) & 1) dense[i] = v[k++]!;
    out.delete(key + BITMAP);
    out.delete(key + VALUES);
    out.set(key, new Tensor(dense, shape as number[], 'float32'));
  }
  return out;
}

function popcount(b: number): number {
  let c = 0;
  for (; b; b &= b - 1) c++;
  return c;
}
