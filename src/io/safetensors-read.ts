import { closeSync } from 'node:fs';
import { DTYPES, type DType } from '../tensor/dtype.js';
import { Tensor } from '../tensor/tensor.js';
import { isJsonObject, parseJsonGuarded } from '../utils/json-guard.js';
import { openRegularFile, readFileSafe, readRange } from '../utils/safe-file.js';
import { widenToFloat32 } from './half-float.js';
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
  /** Read only these tensors (`readSafetensors`); a name not in the file is an error. */
  names?: readonly string[];
}

/** One tensor's entry in a safetensors header, validated against the data's length. */
export interface SafetensorsEntry {
  name: string;
  dtype: DType;
  shape: number[];
  /** Element count. */
  size: number;
  /** Byte range inside the data section (after the header). */
  begin: number;
  end: number;
  /** 'F16' or 'BF16' when the stored halves are widened to float32. */
  widen: 'F16' | 'BF16' | null;
}

/**
 * Validates a safetensors header (the JSON after the 8-byte length) against a data section of
 * `dataLength` bytes: each dtype, shape, byte range (inside the data, matching shape × dtype
 * size, no overlaps), without reading any tensor data.
 */
export function parseSafetensorsHeader(
  headerBytes: Uint8Array,
  dataLength: number,
  source: string,
  options: SafetensorsReadOptions = {},
): { metadata: Record<string, string>; entries: SafetensorsEntry[] } {
  const maxHeader = options.maxHeaderBytes ?? 100_000_000;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(headerBytes);
  } catch {
    throw new Error(`${source}: header is not valid UTF-8`);
  }
  const header = parseJsonGuarded(text, `${source} header`, {
    maxLength: maxHeader,
    uniqueKeys: true,
  });
  if (!isJsonObject(header)) throw new Error(`${source}: header must be a JSON object`);
  const metadata = readMetadata(header['__metadata__'], source);
  const entries: SafetensorsEntry[] = [];
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
    entries.push({ name, dtype, shape: shape as number[], size, begin, end, widen });
  }
  const spans = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  for (let i = 1; i < spans.length; i++) {
    const a = spans[i - 1]!;
    const b = spans[i]!;
    if (b.begin < a.end) {
      throw new Error(`${source}: tensors '${a.name}' and '${b.name}' overlap in the data`);
    }
  }
  // As the format requires (and Hugging Face's reader checks): the tensors tile the data with no
  // hole and nothing after, so no bytes are carried that no entry describes.
  let covered = 0;
  for (const e of spans) {
    if (e.begin !== covered)
      throw new Error(
        `${source}: bytes [${covered}, ${e.begin}) of the data belong to no tensor (before '${e.name}')`,
      );
    covered = e.end;
  }
  if (covered !== dataLength)
    throw new Error(
      `${source}: bytes [${covered}, ${dataLength}) at the end of the data belong to no tensor`,
    );
  return { metadata, entries };
}

/** The header length of a safetensors file from its first 8 bytes, checked against the limits. */
function headerLength(first8: Uint8Array, fileLength: number, source: string, max: number): number {
  if (fileLength < 8) {
    throw new Error(`${source}: file of ${fileLength} bytes is too short for a header`);
  }
  const n = new DataView(first8.buffer, first8.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(max)) {
    throw new Error(`${source}: header length ${n} exceeds the limit of ${max}`);
  }
  if (8 + Number(n) > fileLength) {
    throw new Error(
      `${source}: header length ${n} runs past the end of the file (${fileLength} bytes)`,
    );
  }
  return Number(n);
}

/** A tensor from its stored bytes (widened from F16/BF16 when asked; bool checked to be 0/1). */
function tensorOf(e: SafetensorsEntry, stored: Uint8Array, source: string): Tensor {
  const data = e.widen ? widenToFloat32(stored, e.widen) : DTYPES[e.dtype].create(e.size);
  if (!e.widen) new Uint8Array(data.buffer).set(stored);
  if (e.dtype === 'bool' && (data as Uint8Array).some((v) => v > 1)) {
    throw new Error(`${source}: tensor '${e.name}': bool data holds values other than 0 and 1`);
  }
  return new Tensor(data, e.shape, e.dtype);
}

/**
 * Decodes a safetensors buffer, validating everything before allocating: the header length
 * against the buffer, the JSON's size, depth and unique names, each dtype, shape and byte range
 * (inside the data, matching the shape, no overlaps). Errors name `source` and the tensor.
 * `decodeSafetensors(readFileSync('model.keel'))`
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  source = 'safetensors',
  options: SafetensorsReadOptions = {},
): SafetensorsContents {
  const n = headerLength(bytes, bytes.byteLength, source, options.maxHeaderBytes ?? 100_000_000);
  const dataStart = 8 + n;
  const { metadata, entries } = parseSafetensorsHeader(
    bytes.subarray(8, dataStart),
    bytes.byteLength - dataStart,
    source,
    options,
  );
  const tensors = new Map<string, Tensor>();
  for (const e of entries) {
    const stored = bytes.subarray(dataStart + e.begin, dataStart + e.end);
    tensors.set(e.name, tensorOf(e, stored, source));
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

/**
 * Reads a safetensors file lazily: the header first, then only the requested tensors
 * (`options.names`, default all), each read by chunks from its own offset, so memory holds the
 * tensors asked for and nothing else, and files of any size (no 2 GiB ceiling) load. Special
 * files (FIFOs, devices, directories) are refused (see `openRegularFile`).
 * `readSafetensors('model.safetensors', { names: ['wte.weight'] })`
 */
export function readSafetensors(
  path: string,
  options: SafetensorsReadOptions = {},
): SafetensorsContents {
  const { fd, size } = openRegularFile(path, 'readSafetensors');
  try {
    const max = options.maxHeaderBytes ?? 100_000_000;
    const n = headerLength(readRange(fd, 0, Math.min(8, size), path), size, path, max);
    const dataStart = 8 + n;
    const { metadata, entries } = parseSafetensorsHeader(
      readRange(fd, 8, n, path),
      size - dataStart,
      path,
      options,
    );
    const wanted = options.names ? new Set(options.names) : null;
    if (wanted) {
      const known = new Set(entries.map((e) => e.name));
      for (const w of wanted) {
        if (!known.has(w)) throw new Error(`${path}: no tensor named '${w}'`);
      }
    }
    const tensors = new Map<string, Tensor>();
    for (const e of entries) {
      if (wanted && !wanted.has(e.name)) continue;
      const stored = readRange(fd, dataStart + e.begin, e.end - e.begin, path);
      tensors.set(e.name, tensorOf(e, stored, path));
    }
    return { metadata, tensors };
  } finally {
    closeSync(fd);
  }
}

/** Reads a whole regular file by chunks (see `readFileSafe`). */
export function readFileBounded(path: string, what = 'read'): Uint8Array {
  return readFileSafe(path, { what });
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
