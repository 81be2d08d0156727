import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { DTYPES } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { widenToFloat32 } from './half-float.js';
import { isJsonObject, parseJsonGuarded } from './json-guard.js';
import { KEEL_DTYPE } from './safetensors-dtypes.js';

/** What a safetensors file holds: string metadata and named tensors in file order. */
export interface SafetensorsContents {
  metadata: Record<string, string>;
  tensors: Map<string, Tensor>;
}

/** Options of `readSafetensors`. */
export interface SafetensorsReadOptions {
  /** Largest JSON header accepted, in bytes (default 100 MB). */
  maxHeaderBytes?: number;
  /** Accept F16 and BF16 tensors and widen them to float32 (pretrained weights). */
  widenFloats?: boolean;
}

/**
 * Decodes a safetensors buffer, validating everything before allocating: the header length
 * against the buffer, the JSON's size and depth, each dtype, shape and byte range (inside the
 * data, matching the shape, no overlaps). Errors name `source` and the offending tensor.
 * `decodeSafetensors(readFileSync('model.keel'))`
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  source = 'safetensors',
  options: SafetensorsReadOptions = {},
): SafetensorsContents {
  const maxHeader = options.maxHeaderBytes ?? 100_000_000;
  if (bytes.byteLength < 8) {
    throw new Error(`${source}: file of ${bytes.byteLength} bytes is too short for a header`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getBigUint64(0, true);
  if (headerLength > BigInt(maxHeader)) {
    throw new Error(`${source}: header length ${headerLength} exceeds the limit of ${maxHeader}`);
  }
  const n = Number(headerLength);
  if (8 + n > bytes.byteLength) {
    throw new Error(
      `${source}: header length ${n} runs past the end of the file (${bytes.byteLength} bytes)`,
    );
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new Error(`${source}: header is not valid UTF-8`);
  }
  const header = parseJsonGuarded(text, `${source} header`, { maxLength: maxHeader });
  if (!isJsonObject(header)) throw new Error(`${source}: header must be a JSON object`);
  const dataStart = 8 + n;
  const dataLength = bytes.byteLength - dataStart;
  const metadata = readMetadata(header['__metadata__'], source);
  const spans: { name: string; begin: number; end: number }[] = [];
  const tensors = new Map<string, Tensor>();
  for (const name of Object.keys(header)) {
    if (name === '__metadata__') continue;
    const entry = header[name];
    const what = `${source}: tensor '${name}'`;
    if (!isJsonObject(entry)) throw new Error(`${what}: entry must be an object`);
    const raw = entry['dtype'];
    const widen = options.widenFloats && (raw === 'F16' || raw === 'BF16') ? raw : null;
    const dtype = widen ? 'float32' : KEEL_DTYPE.get(raw as string);
    if (!dtype) throw new Error(`${what}: unsupported dtype ${JSON.stringify(entry['dtype'])}`);
    const shape = entry['shape'];
    const size = checkedSize(shape, dataLength, what, "the file's data");
    const offsets = entry['data_offsets'];
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0)
    ) {
      throw new Error(`${what}: data_offsets must be two non-negative integers`);
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end || end > dataLength) {
      throw new Error(
        `${what}: data_offsets [${begin}, ${end}] fall outside the data (${dataLength} bytes)`,
      );
    }
    const byteSize = size * (widen ? 2 : DTYPES[dtype].bytes);
    if (end - begin !== byteSize) {
      throw new Error(
        `${what}: shape ${JSON.stringify(shape)} of ${dtype} needs ${byteSize} bytes, data_offsets span ${end - begin}`,
      );
    }
    spans.push({ name, begin, end });
    const source16 = bytes.subarray(dataStart + begin, dataStart + end);
    const data = widen ? widenToFloat32(source16, widen) : DTYPES[dtype].create(size);
    if (!widen) new Uint8Array(data.buffer).set(source16);
    if (dtype === 'bool' && (data as Uint8Array).some((v) => v > 1)) {
      throw new Error(`${what}: bool data holds values other than 0 and 1`);
    }
    tensors.set(name, new Tensor(data, shape as number[], dtype));
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < spans.length; i++) {
    const a = spans[i - 1]!;
    const b = spans[i]!;
    if (b.begin < a.end) {
      throw new Error(`${source}: tensors '${a.name}' and '${b.name}' overlap in the data`);
    }
  }
  return { metadata, tensors };
}

function readMetadata(value: unknown, source: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (value === undefined) return out;
  if (!isJsonObject(value)) throw new Error(`${source}: __metadata__ must be an object`);
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new Error(`${source}: __metadata__ '${k}' must be a string`);
    out[k] = v;
  }
  return out;
}

/** Reads and decodes a safetensors file (see `decodeSafetensors`). */
export function readSafetensors(
  path: string,
  options: SafetensorsReadOptions = {},
): SafetensorsContents {
  return decodeSafetensors(readFileBounded(path), path, options);
}

/** Reads a whole file with one allocation of its size, read in a loop (no partial reads). */
export function readFileBounded(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const out = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const got = readSync(fd, out, done, size - done, done);
      if (got === 0) throw new Error(`${path}: file shrank while being read`);
      done += got;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

/**
 * The element count of an untrusted shape: an array of at most 32 non-negative integers whose
 * product stays within `limit` (else an error saying the shape is larger than `limitName`).
 */
export function checkedSize(
  shape: unknown,
  limit: number,
  what: string,
  limitName: string,
): number {
  if (!Array.isArray(shape) || shape.length > 32) {
    throw new Error(`${what}: shape must be an array of at most 32 dimensions`);
  }
  let size = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new Error(`${what}: shape ${JSON.stringify(shape)} has an invalid dimension`);
    }
    size *= d;
    if (size > limit) {
      throw new Error(`${what}: shape ${JSON.stringify(shape)} is larger than ${limitName}`);
    }
  }
  return size;
}
