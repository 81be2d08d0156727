import type { Tensor } from '../tensor/tensor.js';
import { writeFileAtomic } from './atomic-write.js';
import { SAFETENSORS_DTYPE } from './safetensors-dtypes.js';

/**
 * Encodes tensors as a safetensors file: an 8-byte little-endian header length, a JSON header
 * (`__metadata__` plus `{dtype, shape, data_offsets}` per tensor, padded with spaces to 8 bytes),
 * then the raw little-endian data in the given order. Returns the chunks without copying the data.
 * `encodeSafetensors([['dense/kernel', w]], {format: 'keel'})`
 */
export function encodeSafetensors(
  entries: readonly (readonly [string, Tensor])[],
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array[] {
  const header: Record<string, unknown> = { __metadata__: { ...metadata } };
  const names = new Set<string>();
  let offset = 0;
  const data: Uint8Array[] = [];
  for (const [name, t] of entries) {
    if (name === '__metadata__' || names.has(name)) {
      throw new Error(`encodeSafetensors: duplicate or reserved tensor name '${name}'`);
    }
    names.add(name);
    const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    header[name] = {
      dtype: SAFETENSORS_DTYPE[t.dtype],
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes.byteLength],
    };
    offset += bytes.byteLength;
    data.push(bytes);
  }
  let json = Buffer.from(JSON.stringify(header), 'utf8');
  const padded = Math.ceil(json.byteLength / 8) * 8;
  if (padded !== json.byteLength)
    json = Buffer.concat([json, Buffer.alloc(padded - json.byteLength, 0x20)]);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.byteLength));
  return [prefix, json, ...data];
}

/** Writes a safetensors file atomically (temp file, fsync, rename). */
export function saveSafetensors(
  path: string,
  entries: readonly (readonly [string, Tensor])[],
  metadata: Readonly<Record<string, string>> = {},
): void {
  writeFileAtomic(path, encodeSafetensors(entries, metadata));
}
