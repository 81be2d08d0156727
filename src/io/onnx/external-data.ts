import { closeSync, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { ONNX_DTYPE, type OnnxTensor } from './schema.js';

const BYTES: Readonly<Record<number, number>> = {
  [ONNX_DTYPE.FLOAT]: 4,
  [ONNX_DTYPE.DOUBLE]: 8,
  [ONNX_DTYPE.INT32]: 4,
  [ONNX_DTYPE.INT64]: 8,
  [ONNX_DTYPE.UINT8]: 1,
  [ONNX_DTYPE.INT8]: 1,
};

/** A non-negative integer written as a decimal string (ONNX's offset and length entries). */
function byteCount(what: string, v: string | undefined, fallback: number | null): number {
  if (v === undefined) {
    if (fallback === null) throw new Error(`${what} is missing`);
    return fallback;
  }
  if (!/^\d{1,15}$/.test(v)) throw new Error(`${what} '${v}' is not a non-negative integer`);
  return Number(v);
}

/**
 * The initializer `t` with its external data (data_location EXTERNAL) read into rawData from the
 * file its `location` names, which must resolve (symbolic links followed) inside `baseDir`, the
 * model's folder; offset and length must lie within that file and match the tensor's dims.
 * Tensors stored inline are returned as they are.
 */
export function resolveExternalData(
  t: OnnxTensor,
  baseDir: string | null,
  source: string,
): OnnxTensor {
  if (t.dataLocation !== 1) return t;
  const what = `${source}: initializer '${t.name}' (external data)`;
  if (baseDir === null)
    throw new Error(`${what}: the model was given as bytes; load it from its file with loadOnnx`);
  const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new Error(`${what}: no 'location' entry`);
  if (isAbsolute(location)) throw new Error(`${what}: location '${location}' must be relative`);
  const root = realpathSync(baseDir);
  let file: string;
  try {
    file = realpathSync(join(root, location));
  } catch {
    throw new Error(`${what}: data file '${location}' not found beside the model`);
  }
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel))
    throw new Error(`${what}: location '${location}' leaves the model's folder`);
  const elem = BYTES[t.dataType];
  if (!elem) throw new Error(`${what}: data type ${t.dataType} is not supported`);
  const dims = t.dims ?? [];
  if (!dims.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new Error(`${what}: invalid dims [${dims}]`);
  const need = dims.reduce((a, b) => a * b, 1) * elem;
  const offset = byteCount(`${what}: offset`, entries.get('offset'), 0);
  const length = byteCount(`${what}: length`, entries.get('length'), need);
  if (length !== need)
    throw new Error(`${what}: length ${length} bytes, dims [${dims}] need ${need}`);
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (offset + length > size)
      throw new Error(
        `${what}: bytes [${offset}, ${offset + length}) lie past the end of '${location}' (${size} bytes)`,
      );
    const raw = new Uint8Array(length);
    let done = 0;
    while (done < length) {
      const got = readSync(fd, raw, done, length - done, offset + done);
      if (got === 0) throw new Error(`${what}: '${location}' shrank while being read`);
      done += got;
    }
    return { ...t, rawData: raw, dataLocation: 0, externalData: [] };
  } finally {
    closeSync(fd);
  }
}
